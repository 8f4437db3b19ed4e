directory-fhir-no-key = no Annuaire Santé API key: save it in the OS keyring (service “caducee”, entry “{ $entry }”) or set { $env }
directory-fhir-unauthorized = the Annuaire Santé API refused the API key (HTTP { $status }): check the key
directory-fhir-status = the Annuaire Santé API answered HTTP { $status } for { $url }
directory-fhir-busy = the Annuaire Santé API is still busy after { $retries } retries: try again in a minute
directory-fhir-transport = cannot reach the Annuaire Santé API at { $url }: { $reason }
directory-fhir-json = the Annuaire Santé API sent an answer that is not FHIR JSON ({ $reason })
