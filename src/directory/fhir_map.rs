//! Mapping of Annuaire Santé FHIR resources (Practitioner, PractitionerRole,
//! Organization) to directory entries: one entry per MSSanté mailbox, that is
//! per `telecom` of system `email` typed `MSSANTE` by the
//! `fr-core-contact-point-email-type` extension, described by the
//! `as-ext-mailbox-mss-metadata` extension. Mailboxes on the red list
//! (`listeRouge` = true) are never returned.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::entry::{Entry, MailboxKind, display_name};
use super::import::department_of;

const EMAIL_TYPE_EXT: &str = "fr-core-contact-point-email-type";
const MAILBOX_META_EXT: &str = "as-ext-mailbox-mss-metadata";

/// The resources of a Bundle (or of an array of `{resource}` entries, or a
/// single resource).
pub fn resources(doc: &Value) -> Vec<&Value> {
    match doc {
        Value::Array(items) => items.iter().flat_map(resources).collect(),
        Value::Object(o) => {
            if o.get("resourceType").and_then(Value::as_str) == Some("Bundle") {
                o.get("entry")
                    .and_then(Value::as_array)
                    .map(|es| es.iter().filter_map(|e| e.get("resource")).collect())
                    .unwrap_or_default()
            } else if let Some(r) = o.get("resource") {
                vec![r]
            } else if o.contains_key("resourceType") {
                vec![doc]
            } else {
                Vec::new()
            }
        }
        _ => Vec::new(),
    }
}

/// The link of relation `next` of a Bundle page.
pub fn next_link(bundle: &Value) -> Option<String> {
    bundle
        .get("link")?
        .as_array()?
        .iter()
        .find(|l| l.get("relation").and_then(Value::as_str) == Some("next"))
        .and_then(|l| l.get("url"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("").trim()
}

fn ends_with_ext(ext: &Value, name: &str) -> bool {
    s(ext, "url").rsplit('/').next() == Some(name)
}

fn extensions(v: &Value) -> impl Iterator<Item = &Value> {
    v.get("extension")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// A mailbox found on a resource.
struct Mailbox {
    address: String,
    kind: Option<MailboxKind>,
    service: String,
    description: String,
    red_list: bool,
    paper_free: bool,
}

fn mailboxes(resource: &Value) -> Vec<Mailbox> {
    let Some(telecoms) = resource.get("telecom").and_then(Value::as_array) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for t in telecoms {
        if s(t, "system") != "email" {
            continue;
        }
        let is_mss = extensions(t).any(|e| {
            ends_with_ext(e, EMAIL_TYPE_EXT)
                && e.get("valueCoding").map(|c| s(c, "code")) == Some("MSSANTE")
        });
        let address = s(t, "value").to_lowercase();
        if !is_mss || address.is_empty() {
            continue;
        }
        let mut m = Mailbox {
            address,
            kind: None,
            service: String::new(),
            description: String::new(),
            red_list: false,
            paper_free: false,
        };
        for meta in extensions(t).filter(|e| ends_with_ext(e, MAILBOX_META_EXT)) {
            for sub in extensions(meta) {
                let value_bool = sub.get("valueBoolean").and_then(Value::as_bool);
                match s(sub, "url") {
                    "type" => {
                        m.kind = sub
                            .pointer("/valueCodeableConcept/coding")
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten()
                            .find_map(|c| MailboxKind::parse(s(c, "code")));
                    }
                    "service" => m.service = s(sub, "valueString").to_owned(),
                    "description" => m.description = s(sub, "valueString").to_owned(),
                    "listeRouge" => m.red_list = value_bool.unwrap_or(false),
                    "digitization" => m.paper_free = value_bool.unwrap_or(false),
                    _ => {}
                }
            }
        }
        out.push(m);
    }
    out
}

/// Identity of a practitioner.
#[derive(Default, Clone)]
struct Person {
    civility: String,
    given: String,
    family: String,
    rpps: Option<String>,
    national_id: Option<String>,
}

fn person(p: &Value) -> Person {
    let mut out = Person::default();
    let names = p.get("name").and_then(Value::as_array);
    let name = names.and_then(|ns| {
        ns.iter()
            .find(|n| s(n, "use") == "usual" && !s(n, "family").is_empty())
            .or_else(|| ns.iter().find(|n| !s(n, "family").is_empty()))
    });
    if let Some(n) = name {
        out.family = s(n, "family").to_owned();
        out.given = n
            .get("given")
            .and_then(Value::as_array)
            .and_then(|g| g.first())
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        out.civility = n
            .get("prefix")
            .and_then(Value::as_array)
            .and_then(|g| g.first())
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
    }
    for id in p
        .get("identifier")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let code = id
            .pointer("/type/coding/0/code")
            .and_then(Value::as_str)
            .unwrap_or("");
        let value = s(id, "value");
        if value.is_empty() {
            continue;
        }
        if code == "RPPS" || s(id, "system") == "http://rpps.fr" {
            out.rpps = Some(value.to_owned());
        } else if code == "IDNPS" || s(id, "system") == "urn:oid:1.2.250.1.71.4.2.1" {
            out.national_id = Some(value.to_owned());
        }
    }
    if out.rpps.is_none() {
        out.rpps = out
            .national_id
            .as_deref()
            .and_then(|n| n.strip_prefix('8'))
            .filter(|r| r.len() == 11)
            .map(str::to_owned);
    }
    out
}

/// Name, identifier and address of an organization.
#[derive(Default, Clone)]
struct Place {
    organisation: String,
    structure_id: Option<String>,
    street: String,
    city: String,
    postcode: String,
}

fn address_of(resource: &Value, place: &mut Place) {
    let Some(a) = resource
        .get("address")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
    else {
        return;
    };
    place.postcode = s(a, "postalCode").to_owned();
    let city = s(a, "city");
    place.city = city
        .strip_prefix(place.postcode.as_str())
        .filter(|_| !place.postcode.is_empty())
        .unwrap_or(city)
        .trim()
        .to_owned();
    place.street = a
        .get("line")
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(Value::as_str)
                .filter(|x| !x.trim().is_empty())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
}

fn place(o: &Value) -> Place {
    let mut p = Place {
        organisation: s(o, "name").to_owned(),
        ..Place::default()
    };
    p.structure_id = o
        .get("identifier")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|i| s(i, "value"))
        .find(|v| !v.is_empty())
        .map(str::to_owned);
    address_of(o, &mut p);
    p
}

/// Profession and specialty of a role: the code's display when given, else
/// the label of the common codes.
fn role_labels(role: &Value) -> (String, String) {
    let mut profession = String::new();
    let mut specialty = String::new();
    let codings = |key: &str| -> Vec<&Value> {
        role.get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|c| c.get("coding").and_then(Value::as_array))
            .flatten()
            .collect()
    };
    for c in codings("code") {
        let system = s(c, "system");
        if system.contains("TRE_G15-ProfessionSante") || system == "urn:oid:1.2.250.1.71.1.2.7" {
            profession = label(s(c, "display"), profession_label(s(c, "code")));
        }
    }
    for c in codings("specialty") {
        let system = s(c, "system");
        if system.contains("TRE_R38-SpecialiteOrdinale") || system == "urn:oid:1.2.250.1.71.1.2.5" {
            specialty = label(s(c, "display"), s(c, "code"));
        }
    }
    (profession, specialty)
}

fn label(display: &str, fallback: &str) -> String {
    if display.is_empty() {
        fallback.to_owned()
    } else {
        display.to_owned()
    }
}

/// Label of the common RPPS profession codes (TRE_G15).
pub fn profession_label(code: &str) -> &str {
    match code {
        "10" => "Médecin",
        "21" => "Pharmacien",
        "26" => "Audioprothésiste",
        "28" => "Opticien-Lunetier",
        "40" => "Chirurgien-Dentiste",
        "50" => "Sage-Femme",
        "60" => "Infirmier",
        "70" => "Masseur-Kinésithérapeute",
        "80" => "Pédicure-Podologue",
        "91" => "Orthophoniste",
        "92" => "Orthoptiste",
        "93" => "Psychologue",
        "94" => "Ergothérapeute",
        "95" => "Psychomotricien",
        "96" => "Manipulateur ERM",
        other => other,
    }
}

/// Map every MSSanté mailbox of the resources in `doc` (a Bundle, several
/// Bundles in an array, or ANS sample arrays) to directory entries.
pub fn entries(docs: &[&Value]) -> Vec<Entry> {
    let all: Vec<&Value> = docs.iter().flat_map(|d| resources(d)).collect();
    let mut people: HashMap<String, Person> = HashMap::new();
    let mut places: HashMap<String, Place> = HashMap::new();
    for r in &all {
        let id = s(r, "id");
        match s(r, "resourceType") {
            "Practitioner" => {
                people.insert(format!("Practitioner/{id}"), person(r));
            }
            "Organization" => {
                places.insert(format!("Organization/{id}"), place(r));
            }
            _ => {}
        }
    }
    let reference = |r: &Value, key: &str| -> String {
        r.get(key)
            .map(|x| s(x, "reference"))
            .unwrap_or("")
            .rsplit('/')
            .take(2)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("/")
    };
    let mut hidden = HashSet::new();
    let mut out: Vec<Entry> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for r in &all {
        let kind_of_resource = s(r, "resourceType");
        let (who, whr, prof, spec) = match kind_of_resource {
            "Practitioner" => (person(r), Place::default(), String::new(), String::new()),
            "Organization" => (Person::default(), place(r), String::new(), String::new()),
            "PractitionerRole" => {
                let who = people
                    .get(&reference(r, "practitioner"))
                    .cloned()
                    .unwrap_or_default();
                let mut whr = places
                    .get(&reference(r, "organization"))
                    .cloned()
                    .unwrap_or_default();
                if whr.city.is_empty() {
                    address_of(r, &mut whr);
                }
                let (p, sp) = role_labels(r);
                (who, whr, p, sp)
            }
            _ => continue,
        };
        for m in mailboxes(r) {
            if m.red_list {
                hidden.insert(m.address.clone());
                continue;
            }
            let default_kind = if kind_of_resource == "Organization" {
                MailboxKind::Org
            } else {
                MailboxKind::Per
            };
            let mut e = Entry {
                address: m.address.clone(),
                kind: m.kind.unwrap_or(default_kind),
                display_name: String::new(),
                civility: who.civility.clone(),
                given_name: who.given.clone(),
                family_name: who.family.clone(),
                profession: prof.clone(),
                specialty: spec.clone(),
                organisation: whr.organisation.clone(),
                service: m.service,
                description: m.description,
                street: whr.street.clone(),
                city: whr.city.clone(),
                postcode: whr.postcode.clone(),
                department: department_of(&whr.postcode),
                country: String::new(),
                rpps: who.rpps.clone(),
                national_id: who.national_id.clone(),
                structure_id: whr.structure_id.clone(),
                paper_free: m.paper_free,
                practice: None,
            };
            e.display_name = display_name(&e);
            match index.get(&e.address) {
                Some(&i) => merge(&mut out[i], e),
                None => {
                    index.insert(e.address.clone(), out.len());
                    out.push(e);
                }
            }
        }
    }
    out.retain(|e| !hidden.contains(&e.address));
    out
}

/// Fill the empty fields of `into` from `from` (the same mailbox seen on two
/// resources, e.g. a Practitioner and its role).
fn merge(into: &mut Entry, from: Entry) {
    let fill = |a: &mut String, b: String| {
        if a.is_empty() {
            *a = b;
        }
    };
    fill(&mut into.civility, from.civility);
    fill(&mut into.given_name, from.given_name);
    fill(&mut into.family_name, from.family_name);
    fill(&mut into.profession, from.profession);
    fill(&mut into.specialty, from.specialty);
    fill(&mut into.organisation, from.organisation);
    fill(&mut into.service, from.service);
    fill(&mut into.description, from.description);
    fill(&mut into.street, from.street);
    fill(&mut into.city, from.city);
    fill(&mut into.postcode, from.postcode);
    fill(&mut into.department, from.department);
    into.rpps = into.rpps.take().or(from.rpps);
    into.national_id = into.national_id.take().or(from.national_id);
    into.structure_id = into.structure_id.take().or(from.structure_id);
    into.paper_free |= from.paper_free;
    into.display_name = display_name(into);
}
