directory-fhir-no-key = aucune clé d’API Annuaire Santé : enregistrez-la dans le trousseau du système (service « caducee », entrée « { $entry } ») ou dans { $env }
directory-fhir-unauthorized = l’API Annuaire Santé a refusé la clé d’API (HTTP { $status }) : vérifiez la clé
directory-fhir-status = l’API Annuaire Santé a répondu HTTP { $status } pour { $url }
directory-fhir-busy = l’API Annuaire Santé est toujours saturée après { $retries } nouvelles tentatives : réessayez dans une minute
directory-fhir-transport = impossible de joindre l’API Annuaire Santé à { $url } : { $reason }
directory-fhir-json = l’API Annuaire Santé a envoyé une réponse qui n’est pas du JSON FHIR ({ $reason })
