//! The online directory: mapping of the ANS FHIR samples, and the client
//! against a fixture FHIR server on loopback (paging, 429, red list, key).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use caducee::directory::MailboxKind;
use caducee::directory::fhir::{FhirClient, FhirError, FhirSearch, entries_from_json};
use serde_json::{Value, json};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/directory");

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}/{name}")).unwrap()
}

/// The ANS samples are hand-written and some carry trailing commas: drop them.
fn lenient_json(text: &str) -> Value {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == ',' {
            let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            if matches!(next, Some('}') | Some(']')) {
                continue;
            }
        }
        out.push(c);
    }
    serde_json::from_str(&out).unwrap()
}

const MSS_TYPE: &str =
    "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-contact-point-email-type";
const MSS_META: &str = "https://interop.esante.gouv.fr/ig/fhir/annuaire/StructureDefinition/as-ext-mailbox-mss-metadata";

/// A mailbox telecom shaped like the ANS uc-bal-mss example.
fn mss(address: &str, kind: &str, red_list: bool, paper_free: bool, service: &str) -> Value {
    json!({
        "extension": [
            {"url": MSS_TYPE, "valueCoding": {
                "system": "https://mos.esante.gouv.fr/NOS/TRE_R256-TypeMessagerie/FHIR/TRE-R256-TypeMessagerie",
                "code": "MSSANTE"}},
            {"url": MSS_META, "extension": [
                {"url": "type", "valueCodeableConcept": {"coding": [{
                    "system": "https://mos.esante.gouv.fr/NOS/TRE_R257-TypeBAL/FHIR/TRE-R257-TypeBAL",
                    "code": kind}]}},
                {"url": "service", "valueString": service},
                {"url": "listeRouge", "valueBoolean": red_list},
                {"url": "digitization", "valueBoolean": paper_free}
            ]}
        ],
        "system": "email",
        "value": address
    })
}

#[test]
fn maps_the_ans_organization_mailbox_example() {
    // The ANS excerpt is the body of an Organization up to its telecom list.
    let text = fixture("uc-bal-mss_Organization_excerpt.json.txt");
    let body: Vec<&str> = text.lines().take_while(|l| l.trim() != "...").collect();
    let doc: Value = serde_json::from_str(&format!(
        "{{\"resourceType\": \"Organization\", \"id\": \"uc\", {} }}",
        body.join("\n")
    ))
    .unwrap();
    let entries = entries_from_json(&[&doc]);
    assert_eq!(entries.len(), 1);
    let e = &entries[0];
    assert_eq!(e.address, "secretariat.drhouse@aura.mssante.fr");
    assert_eq!(e.kind, MailboxKind::Org);
    assert_eq!(e.organisation, "CENTRE DE SANTE DR HOUSE");
    assert_eq!(e.description, "DR HOUSE Secrétariat");
    assert!(e.paper_free);
}

#[test]
fn maps_the_ans_practitioner_and_role_samples() {
    let practitioner = lenient_json(&fixture("PP16-Practitioner.json"));
    let mut role: Value =
        serde_json::from_str(&fixture("PP16-professionalRole_ExePro.json")).unwrap();
    // As published the samples carry no MSSanté mailbox: nothing to map.
    assert!(entries_from_json(&[&practitioner, &role]).is_empty());
    // The same role with a mailbox, linked to the sample practitioner.
    let r = role.get_mut("resource").unwrap();
    r["telecom"] = json!([mss(
        "d.chatelier@pharmacien.mssante.fr",
        "PER",
        false,
        true,
        "Officine"
    )]);
    r["practitioner"] = json!({"reference": "Practitioner/3719500"});
    let entries = entries_from_json(&[&practitioner, &role]);
    assert_eq!(entries.len(), 1, "{entries:?}");
    let e = &entries[0];
    assert_eq!(e.kind, MailboxKind::Per);
    assert_eq!(
        e.profession, "Pharmacien",
        "code 21 of urn:oid:1.2.250.1.71.1.2.7"
    );
    assert_eq!(e.rpps.as_deref(), Some("10102727017"));
    assert_eq!(e.national_id.as_deref(), Some("810102727017"));
    assert_eq!(e.service, "Officine");
    assert!(e.paper_free);
    // The plain e-mail of the sample practitioner is not an MSSanté mailbox.
    assert!(
        entries
            .iter()
            .all(|e| e.address != "davidchatelier@orange.fr")
    );
}

// ---- fixture FHIR server ----

struct Fixture {
    base: String,
    server: Arc<tiny_http::Server>,
    log: Arc<Mutex<Vec<(Instant, String)>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn bundle(base: &str, resources: Vec<Value>, next: Option<String>) -> Value {
    let mut link = vec![json!({"relation": "self", "url": format!("{base}/x")})];
    if let Some(n) = next {
        link.push(json!({"relation": "next", "url": n}));
    }
    json!({
        "resourceType": "Bundle",
        "type": "searchset",
        "link": link,
        "entry": resources.into_iter().map(|r| json!({
            "fullUrl": format!("{base}/{}/{}", r["resourceType"].as_str().unwrap(), r["id"].as_str().unwrap()),
            "resource": r,
        })).collect::<Vec<_>>()
    })
}

fn practitioner(id: &str, family: &str, given: &str, rpps: &str, telecom: Vec<Value>) -> Value {
    json!({
        "resourceType": "Practitioner", "id": id,
        "identifier": [
            {"system": "urn:oid:1.2.250.1.71.4.2.1", "type": {"coding": [{"code": "IDNPS"}]}, "value": format!("8{rpps}")},
            {"system": "http://rpps.fr", "type": {"coding": [{"code": "RPPS"}]}, "value": rpps}
        ],
        "name": [{"use": "usual", "family": family, "given": [given], "prefix": ["DR"]}],
        "telecom": telecom
    })
}

/// The server: 429 on the first request, then three pages for Practitioner
/// searches, an Organization on the last, mailbox searches, and any
/// `/chain?n=K` answering a chain of K pages for the rate test.
fn start() -> Fixture {
    let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
    let port = server.server_addr().to_ip().unwrap().port();
    let base = format!("http://127.0.0.1:{port}/fhir/v2");
    let log: Arc<Mutex<Vec<(Instant, String)>>> = Arc::default();
    let (srv, b, lg) = (server.clone(), base.clone(), log.clone());
    let thread = std::thread::spawn(move || {
        let mut first = true;
        for req in srv.incoming_requests() {
            let url = req.url().to_owned();
            lg.lock().unwrap().push((Instant::now(), url.clone()));
            let key_ok = req
                .headers()
                .iter()
                .any(|h| h.field.equiv("ESANTE-API-KEY") && h.value.as_str() == "test-key");
            let json_resp = |v: Value| {
                tiny_http::Response::from_string(v.to_string()).with_header(
                    "Content-Type: application/fhir+json"
                        .parse::<tiny_http::Header>()
                        .unwrap(),
                )
            };
            if !key_ok {
                let _ = req.respond(
                    json_resp(json!({"resourceType": "OperationOutcome"})).with_status_code(401),
                );
                continue;
            }
            if url.starts_with("/fhir/v2/Practitioner?") && url.contains("family=") && first {
                first = false;
                let resp = json_resp(json!({"resourceType": "OperationOutcome"}))
                    .with_status_code(429)
                    .with_header("Retry-After: 1".parse::<tiny_http::Header>().unwrap());
                let _ = req.respond(resp);
                continue;
            }
            let body = if url.starts_with("/fhir/v2/Practitioner?") && url.contains("family=") {
                assert!(
                    url.contains("family=LEF%C3%88VRE") || url.contains("family=LEFÈVRE"),
                    "{url}"
                );
                assert!(url.contains("_revinclude=PractitionerRole"), "{url}");
                let p1 = practitioner(
                    "p1",
                    "LEFÈVRE",
                    "Jean",
                    "10000000011",
                    vec![mss(
                        "jean.lefevre@medecin.mssante.fr",
                        "PER",
                        false,
                        true,
                        "",
                    )],
                );
                let role = json!({
                    "resourceType": "PractitionerRole", "id": "r1",
                    "practitioner": {"reference": "Practitioner/p1"},
                    "organization": {"reference": "Organization/o1"},
                    "code": [{"coding": [{"system": "https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante", "code": "10"}]}],
                    "specialty": [{"coding": [{"system": "https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale", "code": "SM04", "display": "Cardiologie et maladies vasculaires"}]}],
                    "telecom": [mss("cardio.lefevre@ch-lyon.mssante.fr", "PER", false, false, "Cardiologie")]
                });
                bundle(
                    &b,
                    vec![p1, role],
                    Some(format!("{b}/Practitioner?_page=2&_token=abc")),
                )
            } else if url.starts_with("/fhir/v2/Practitioner?_page=2") {
                let hidden = practitioner(
                    "p2",
                    "LEFÈVRE",
                    "Anne",
                    "10000000022",
                    vec![mss(
                        "anne.lefevre@medecin.mssante.fr",
                        "PER",
                        true,
                        false,
                        "",
                    )],
                );
                let plain = practitioner(
                    "p3",
                    "LEFEVRE",
                    "Paul",
                    "10000000033",
                    vec![
                        json!({"system": "email", "value": "paul@example.fr"}),
                        mss("paul.lefevre@infirmier.mssante.fr", "PER", false, false, ""),
                    ],
                );
                bundle(
                    &b,
                    vec![hidden, plain],
                    Some(format!("{b}/Practitioner?_page=3&_token=abc")),
                )
            } else if url.starts_with("/fhir/v2/Practitioner?_page=3") {
                let org = json!({
                    "resourceType": "Organization", "id": "o1", "name": "CENTRE HOSPITALIER DE LYON",
                    "address": [{"city": "69003 LYON", "postalCode": "69003", "line": ["1 PLACE D'ARSONVAL"]}],
                    "telecom": [mss("cardio@ch-lyon.mssante.fr", "ORG", false, true, "Secrétariat cardiologie")]
                });
                bundle(&b, vec![org], None)
            } else if url.contains("mailbox-mss=") {
                let res = if url.starts_with("/fhir/v2/Organization?") {
                    vec![json!({
                        "resourceType": "Organization", "id": "o9", "name": "CHU DE TEST",
                        "telecom": [mss("secret@chu-test.mssante.fr", "ORG", true, false, ""),
                                    mss("accueil@chu-test.mssante.fr", "ORG", false, false, "Accueil")]
                    })]
                } else {
                    vec![]
                };
                bundle(&b, res, None)
            } else if let Some(rest) = url.strip_prefix("/fhir/v2/chain?n=") {
                let n: u32 = rest.split('&').next().unwrap().parse().unwrap();
                let next = (n > 1).then(|| format!("{b}/chain?n={}", n - 1));
                bundle(&b, vec![], next)
            } else {
                bundle(&b, vec![], None)
            };
            let _ = req.respond(json_resp(body));
        }
    });
    Fixture {
        base,
        server,
        log,
        thread: Some(thread),
    }
}

#[test]
fn searches_by_name_following_pages_waiting_on_429_and_hiding_red_list() {
    let fx = start();
    let client = FhirClient::new(&fx.base, "test-key");
    let started = Instant::now();
    let found = client
        .search(
            &FhirSearch::Name {
                family: "LEFÈVRE".into(),
                given: None,
            },
            50,
        )
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After honoured"
    );
    let addrs: Vec<&str> = found.iter().map(|e| e.address.as_str()).collect();
    assert_eq!(
        addrs,
        [
            "jean.lefevre@medecin.mssante.fr",
            "cardio.lefevre@ch-lyon.mssante.fr",
            "paul.lefevre@infirmier.mssante.fr",
            "cardio@ch-lyon.mssante.fr"
        ]
    );
    // the role's mailbox carries the practitioner, the organisation, the profession
    let role = &found[1];
    assert_eq!(role.family_name, "LEFÈVRE");
    assert_eq!(role.rpps.as_deref(), Some("10000000011"));
    assert_eq!(role.profession, "Médecin");
    assert_eq!(role.specialty, "Cardiologie et maladies vasculaires");
    assert_eq!(role.organisation, "CENTRE HOSPITALIER DE LYON");
    assert_eq!(role.city, "LYON");
    assert_eq!(role.department, "69");
    assert_eq!(role.display_name, "Dr Jean LEFÈVRE");
    assert!(found[0].paper_free && !role.paper_free);
    let org = &found[3];
    assert_eq!(org.kind, MailboxKind::Org);
    assert_eq!(org.service, "Secrétariat cardiologie");
    // 429, page 1, page 2, page 3 for Practitioner, then the Organization search
    let log = fx.log.lock().unwrap();
    let urls: Vec<&str> = log.iter().map(|(_, u)| u.as_str()).collect();
    assert_eq!(urls.len(), 5, "{urls:?}");
    assert!(urls[1].contains("family="), "retried: {urls:?}");
    assert!(urls[2].starts_with("/fhir/v2/Practitioner?_page=2"));
    assert!(urls[4].starts_with("/fhir/v2/Organization?name="));
    assert!(log[1].0 - log[0].0 >= Duration::from_secs(1));
}

#[test]
fn searches_by_mailbox_and_hides_red_list() {
    let fx = start();
    let client = FhirClient::new(&fx.base, "test-key");
    let found = client
        .search(
            &FhirSearch::Mailbox("accueil@chu-test.mssante.fr".into()),
            10,
        )
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].address, "accueil@chu-test.mssante.fr");
    assert_eq!(found[0].organisation, "CHU DE TEST");
    let urls: Vec<String> = fx
        .log
        .lock()
        .unwrap()
        .iter()
        .map(|(_, u)| u.clone())
        .collect();
    assert_eq!(
        urls.len(),
        3,
        "Practitioner, PractitionerRole, Organization: {urls:?}"
    );
    assert!(
        urls.iter()
            .all(|u| u.contains("mailbox-mss=accueil%40chu-test.mssante.fr")),
        "{urls:?}"
    );
}

#[test]
fn keeps_under_17_requests_per_second() {
    let fx = start();
    let mut client = FhirClient::new(&fx.base, "test-key");
    client.max_pages = 40;
    let pages = client
        .fetch_pages(
            &format!("{}/chain", fx.base),
            &[("n", "35".to_owned())],
            1000,
        )
        .unwrap();
    assert_eq!(pages.len(), 35);
    let log = fx.log.lock().unwrap();
    assert_eq!(log.len(), 35);
    // no window of one second holds more than 17 requests
    for (i, (t, _)) in log.iter().enumerate() {
        let in_window = log[i..]
            .iter()
            .take_while(|(u, _)| *u - *t < Duration::from_secs(1))
            .count();
        assert!(in_window <= 17, "{in_window} requests within one second");
    }
    assert!(log[34].0 - log[0].0 >= Duration::from_millis(34 * 1000 / 17 - 20));
}

#[test]
fn a_wrong_key_is_reported() {
    let fx = start();
    let client = FhirClient::new(&fx.base, "wrong");
    let err = client
        .search(&FhirSearch::Identifier("10000000011".into()), 10)
        .unwrap_err();
    assert!(matches!(err, FhirError::Unauthorized(401)), "{err}");
    assert!(err.to_string().contains("API key"));
}
