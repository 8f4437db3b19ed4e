//! Generate a realistic, deterministic Extraction_Correspondance_MSSante file
//! for tests and benchmarks: the real 31-column header, French names with
//! accents, hyphens and apostrophes, real profession and specialty labels, real
//! communes and postcodes, and the defects real files have (byte-order mark,
//! CRLF, stray quotes, duplicated addresses, rows with too few or too many
//! fields). Fictional people: no row describes anyone real.
//!
//! `cargo run --release --example gen_directory -- OUT.txt [ROWS] [SEED]`
//!
//! With `--ps-libreacces`, a PS_LibreAcces file (the real 52-column header,
//! trailing `|`) describing the professionals of an extraction made above (1
//! to 3 activities each, the first at the mailbox's structure, with phone
//! numbers, exercise modes and skills) and then other, fictional
//! professionals up to ROWS, with a few broken rows:
//!
//! `cargo run --release --example gen_directory -- --ps-libreacces OUT.txt EXTRACTION.txt [ROWS] [SEED]`

use std::collections::HashMap;
use std::io::{BufRead, BufWriter, Write};

const HEADER: &str = "Type de BAL|Adresse BAL|Type Identifiant PP|Identifiant PP|Identification nationale PP|Type identifiant structure|Identification Structure|Service de rattachement|Civilité d'exercice|Nom d'exercice|Prénom d'exercice|Catégorie profession|Libellé de catégorie profession|Code Profession|Libellé Profession|Code savoir-faire|Libellé savoir-faire|Dématérialisation|Raison Sociale structure BAL|Enseigne commerciale structure BAL|L2COMPLEMENTLOCALISATION|L3COMPLEMENTDISTRIBUTION|L4NUMEROVOIE|L4COMPLEMENTNUMEROVOIE|NL4TYPEVOIE|L4LIBELLEVOIE|L5LIEUDITMENTION|L6LIGNEACHEMINEMENT|Code postal|Département|Pays";

const SURNAMES: &[&str] = &[
    "MARTIN",
    "BERNARD",
    "THOMAS",
    "PETIT",
    "ROBERT",
    "RICHARD",
    "DURAND",
    "DUBOIS",
    "MOREAU",
    "LAURENT",
    "SIMON",
    "MICHEL",
    "LEFÈVRE",
    "LEROY",
    "ROUX",
    "DAVID",
    "BERTRAND",
    "MOREL",
    "FOURNIER",
    "GIRARD",
    "BONNET",
    "DUPONT",
    "LAMBERT",
    "FONTAINE",
    "ROUSSEAU",
    "VINCENT",
    "MÜLLER",
    "LEFEBVRE",
    "FAURE",
    "ANDRÉ",
    "MERCIER",
    "BLANC",
    "GUÉRIN",
    "BOYER",
    "GARNIER",
    "CHEVALIER",
    "FRANÇOIS",
    "LEGRAND",
    "GAUTHIER",
    "GARCIA",
    "PERRIN",
    "ROBIN",
    "CLÉMENT",
    "MORIN",
    "NICOLAS",
    "HENRY",
    "ROUSSEL",
    "MATHIEU",
    "GAUTIER",
    "MASSON",
    "MARCHAND",
    "DUVAL",
    "DENIS",
    "DUMONT",
    "MARIE",
    "LEMAIRE",
    "NOËL",
    "MEYER",
    "DUFOUR",
    "MEUNIER",
    "BRUN",
    "BLANCHARD",
    "GIRAUD",
    "JOLY",
    "RIVIÈRE",
    "LUCAS",
    "BRUNET",
    "GAILLARD",
    "BARBIER",
    "ARNAUD",
    "MARTINEZ",
    "GÉRARD",
    "ROCHE",
    "RENARD",
    "SCHMITT",
    "ROY",
    "LEROUX",
    "COLIN",
    "VIDAL",
    "CARON",
    "PICARD",
    "ROGER",
    "FABRE",
    "AUBERT",
    "LEMOINE",
    "RENAUD",
    "DUMAS",
    "LACROIX",
    "OLIVIER",
    "PHILIPPE",
    "BOURGEOIS",
    "PIERRE",
    "BENOÎT",
    "REY",
    "LECLERC",
    "PAYET",
    "ROLLAND",
    "LECLERCQ",
    "GUILLAUME",
    "LECOMTE",
    "LÓPEZ",
    "JEAN",
    "DUPUY",
    "GUILLOT",
    "HUBERT",
    "BERGER",
    "CARPENTIER",
    "SANCHEZ",
    "DUPUIS",
    "MOULIN",
    "LOUIS",
    "DESCHAMPS",
    "HUET",
    "VASSEUR",
    "PEREZ",
    "BOUCHER",
    "FLEURY",
    "ROYER",
    "KLEIN",
    "JACQUET",
    "ADAM",
    "PARIS",
    "POIRIER",
    "MARTY",
    "AUBRY",
    "GUYOT",
    "CARRÉ",
    "CHARLES",
    "RENAULT",
    "CHARPENTIER",
    "MÉNARD",
    "MAILLARD",
    "BARON",
    "BERTIN",
    "BAILLY",
    "HERVÉ",
    "SCHNEIDER",
    "FERNANDEZ",
    "LE GALL",
    "COLLET",
    "LÉGER",
    "BOUVIER",
    "JULIEN",
    "PRÉVOST",
    "MILLET",
    "PERROT",
    "DANIEL",
    "LE ROUX",
    "COUSIN",
    "GERMAIN",
    "BRETON",
    "BESSON",
    "LANGLOIS",
    "RÉMY",
    "LE GOFF",
    "PELLETIER",
    "LÉVÊQUE",
    "PERRIER",
    "LEBLANC",
    "BARRÉ",
    "LEBRUN",
    "MARCHAL",
    "WEBER",
    "MALLET",
    "HAMON",
    "BOULANGER",
    "JACOB",
    "MONNIER",
    "MICHAUD",
    "RODRIGUEZ",
    "GUICHARD",
    "GILLET",
    "ÉTIENNE",
    "GRONDIN",
    "POULAIN",
    "TESSIER",
    "CHEVALLIER",
    "COLLIN",
    "CHAUVIN",
    "DA SILVA",
    "BOUCHET",
    "GAY",
    "LEMAÎTRE",
    "BÉNARD",
    "MARÉCHAL",
    "HUMBERT",
    "REYNAUD",
    "ANTOINE",
    "HOARAU",
    "PERRET",
    "BARTHÉLEMY",
    "CORDIER",
    "PICHON",
    "LEJEUNE",
    "GILBERT",
    "LAMY",
    "DELAUNAY",
    "PASQUIER",
    "CARLIER",
    "LAPORTE",
    "D'ALMEIDA",
    "N'DIAYE",
    "D'ARTOIS",
    "SAINT-JUST",
    "DE LA FONTAINE",
    "DUPONT-MARTIN",
    "LEFÈVRE-DURAND",
    "N'GUYEN",
    "NGUYEN",
    "CŒURDEROY",
    "ÉVRARD",
    "ŒUVRARD",
    "BEN SAÏD",
    "EL AMRANI",
    "O'NEILL",
    "LE BIHAN",
    "KERGUÉLEN",
    "ABAD",
    "ZOLA",
    "YILMAZ",
    "HADDAD",
    "BENOÎT-LÉVY",
    "SAINTE-MARIE",
    "DE SAINT-EXUPÉRY",
    "L'HOSTIS",
    "D'HERBOMEZ",
];

const GIVEN: &[&str] = &[
    "JEAN",
    "MARIE",
    "PIERRE",
    "MICHEL",
    "ANNE",
    "PHILIPPE",
    "NATHALIE",
    "ISABELLE",
    "FRANÇOIS",
    "CATHERINE",
    "JEAN-PIERRE",
    "JEAN-FRANÇOIS",
    "MARIE-HÉLÈNE",
    "HÉLÈNE",
    "CÉLINE",
    "STÉPHANE",
    "STÉPHANIE",
    "SÉBASTIEN",
    "JÉRÔME",
    "FRÉDÉRIC",
    "ÉLODIE",
    "CHLOÉ",
    "LÉA",
    "ZOÉ",
    "NOÉMIE",
    "GAËL",
    "JOËL",
    "MAËLLE",
    "ANAÏS",
    "LOÏC",
    "CLÉMENCE",
    "AMÉLIE",
    "VALÉRIE",
    "SOPHIE",
    "JULIE",
    "THOMAS",
    "NICOLAS",
    "JULIEN",
    "DAVID",
    "LAURENT",
    "CHRISTOPHE",
    "OLIVIER",
    "ÉRIC",
    "SYLVIE",
    "CHRISTINE",
    "SANDRINE",
    "MARTINE",
    "PASCAL",
    "THIERRY",
    "DOMINIQUE",
    "CLAIRE",
    "EMMANUEL",
    "ÉMILIE",
    "AURÉLIE",
    "MATHIEU",
    "GUILLAUME",
    "ANTOINE",
    "CAMILLE",
    "MANON",
    "INÈS",
    "HUGO",
    "LUCAS",
    "LOUIS",
    "ARNAUD",
    "BENOÎT",
    "FRANÇOISE",
    "GENEVIÈVE",
    "RENÉE",
    "ANDRÉ",
    "GÉRALDINE",
    "MÉLANIE",
    "YANNICK",
    "KARIM",
    "FATIMA",
    "MOHAMED",
    "SAMIA",
    "XAVIER",
];

/// (code, label, weight, specialties (code, label, weight), domain)
type Prof = (
    &'static str,
    &'static str,
    u32,
    &'static [(&'static str, &'static str, u32)],
    &'static str,
);

const PROFESSIONS: &[Prof] = &[
    (
        "10",
        "Médecin",
        45,
        &[
            ("SM54", "Médecine générale", 40),
            ("SM26", "Qualifié en Médecine Générale", 10),
            ("SM04", "Cardiologie et maladies vasculaires", 5),
            ("SM15", "Dermatologie et vénéréologie", 3),
            ("SM20", "Gynécologie-obstétrique", 4),
            ("SM40", "Pédiatrie", 5),
            ("SM41", "Pneumologie", 2),
            ("SM42", "Psychiatrie", 5),
            ("SM38", "Ophtalmologie", 3),
            ("SM39", "Oto-rhino-laryngologie", 2),
            ("SM32", "Neurologie", 2),
            ("SM44", "Radio-diagnostic", 4),
            ("SM02", "Anesthesie-réanimation", 5),
            ("SM24", "Gastro-entérologie et hépatologie", 2),
            ("SM47", "Rhumatologie", 2),
            ("SM16", "Endocrinologie et métabolisme", 1),
            ("SM53", "Chirurgie orthopédique et traumatologie", 2),
            ("SM49", "Urologie", 1),
            ("SM30", "Néphrologie", 1),
            ("SM25", "Gériatrie", 2),
            ("SM37", "Oncologie option médicale", 1),
            ("SM56", "Médecine d'urgence", 3),
        ],
        "medecin.mssante.fr",
    ),
    ("60", "Infirmier", 20, &[], "infirmier.mssante.fr"),
    (
        "21",
        "Pharmacien",
        10,
        &[
            ("SP01", "Pharmacie d'officine", 3),
            ("SP02", "Pharmacie hospitalière", 1),
            ("SP03", "Biologie médicale", 1),
        ],
        "pharmacien.mssante.fr",
    ),
    (
        "70",
        "Masseur-Kinésithérapeute",
        8,
        &[],
        "masseur-kinesitherapeute.mssante.fr",
    ),
    (
        "40",
        "Chirurgien-Dentiste",
        5,
        &[
            ("SCD01", "Orthopédie dento-faciale", 1),
            ("SCD02", "Chirurgie orale", 1),
            ("", "", 8),
        ],
        "chirurgien-dentiste.mssante.fr",
    ),
    ("50", "Sage-Femme", 4, &[], "sage-femme.mssante.fr"),
    (
        "80",
        "Pédicure-Podologue",
        2,
        &[],
        "pedicure-podologue.mssante.fr",
    ),
    ("91", "Orthophoniste", 2, &[], "orthophoniste.mssante.fr"),
    ("92", "Orthoptiste", 1, &[], "orthoptiste.mssante.fr"),
    (
        "26",
        "Audioprothésiste",
        1,
        &[],
        "audioprothesiste.mssante.fr",
    ),
    ("28", "Opticien-Lunetier", 1, &[], "opticien.mssante.fr"),
    ("94", "Ergothérapeute", 1, &[], "ergotherapeute.mssante.fr"),
    (
        "95",
        "Psychomotricien",
        1,
        &[],
        "psychomotricien.mssante.fr",
    ),
    (
        "96",
        "Manipulateur ERM",
        1,
        &[],
        "manipulateur-erm.mssante.fr",
    ),
];

/// (postcode, commune, department, weight)
const COMMUNES: &[(&str, &str, &str, u32)] = &[
    ("75001", "PARIS", "75", 3),
    ("75005", "PARIS", "75", 3),
    ("75010", "PARIS", "75", 3),
    ("75012", "PARIS", "75", 4),
    ("75013", "PARIS", "75", 4),
    ("75014", "PARIS", "75", 4),
    ("75015", "PARIS", "75", 5),
    ("75016", "PARIS", "75", 4),
    ("75018", "PARIS", "75", 4),
    ("75020", "PARIS", "75", 4),
    ("13001", "MARSEILLE", "13", 3),
    ("13005", "MARSEILLE", "13", 3),
    ("13008", "MARSEILLE", "13", 3),
    ("13013", "MARSEILLE", "13", 2),
    ("69003", "LYON", "69", 4),
    ("69006", "LYON", "69", 3),
    ("69008", "LYON", "69", 3),
    ("69100", "VILLEURBANNE", "69", 2),
    ("69110", "SAINTE-FOY-LÈS-LYON", "69", 1),
    ("31000", "TOULOUSE", "31", 4),
    ("31400", "TOULOUSE", "31", 3),
    ("06000", "NICE", "06", 4),
    ("44000", "NANTES", "44", 4),
    ("67000", "STRASBOURG", "67", 4),
    ("34000", "MONTPELLIER", "34", 4),
    ("33000", "BORDEAUX", "33", 4),
    ("59000", "LILLE", "59", 4),
    ("35000", "RENNES", "35", 3),
    ("51100", "REIMS", "51", 2),
    ("42000", "SAINT-ÉTIENNE", "42", 2),
    ("42100", "ST ETIENNE", "42", 1),
    ("83000", "TOULON", "83", 2),
    ("76600", "LE HAVRE", "76", 2),
    ("38000", "GRENOBLE", "38", 3),
    ("21000", "DIJON", "21", 2),
    ("49000", "ANGERS", "49", 2),
    ("30000", "NÎMES", "30", 2),
    ("63000", "CLERMONT-FERRAND", "63", 2),
    ("72000", "LE MANS", "72", 2),
    ("13100", "AIX-EN-PROVENCE", "13", 2),
    ("29200", "BREST", "29", 2),
    ("37000", "TOURS", "37", 2),
    ("80000", "AMIENS", "80", 2),
    ("87000", "LIMOGES", "87", 2),
    ("74000", "ANNECY", "74", 2),
    ("66000", "PERPIGNAN", "66", 2),
    ("57000", "METZ", "57", 2),
    ("25000", "BESANÇON", "25", 2),
    ("45000", "ORLÉANS", "45", 2),
    ("68100", "MULHOUSE", "68", 2),
    ("76000", "ROUEN", "76", 2),
    ("14000", "CAEN", "14", 2),
    ("54000", "NANCY", "54", 2),
    ("97400", "SAINT-DENIS", "974", 2),
    ("97460", "SAINT-PAUL", "974", 1),
    ("97410", "SAINT-PIERRE", "974", 1),
    ("20000", "AJACCIO", "2A", 1),
    ("20200", "BASTIA", "2B", 1),
    ("94100", "SAINT-MAUR-DES-FOSSÉS", "94", 1),
    ("93200", "SAINT-DENIS", "93", 1),
    ("35400", "SAINT-MALO", "35", 1),
    ("44600", "SAINT-NAZAIRE", "44", 1),
    ("50000", "SAINT-LÔ", "50", 1),
    ("17100", "SAINTES", "17", 1),
    ("92100", "BOULOGNE-BILLANCOURT", "92", 2),
    ("93100", "MONTREUIL", "93", 2),
    ("92000", "NANTERRE", "92", 1),
    ("94000", "CRÉTEIL", "94", 2),
    ("95000", "CERGY", "95", 1),
    ("78000", "VERSAILLES", "78", 2),
    ("91000", "ÉVRY-COURCOURONNES", "91", 1),
    ("77000", "MELUN", "77", 1),
    ("64000", "PAU", "64", 1),
    ("64100", "BAYONNE", "64", 1),
    ("65000", "TARBES", "65", 1),
    ("81000", "ALBI", "81", 1),
    ("12000", "RODEZ", "12", 1),
    ("46000", "CAHORS", "46", 1),
    ("24000", "PÉRIGUEUX", "24", 1),
    ("19100", "BRIVE-LA-GAILLARDE", "19", 1),
    ("23000", "GUÉRET", "23", 1),
    ("03100", "MONTLUÇON", "03", 1),
    ("01000", "BOURG-EN-BRESSE", "01", 1),
    ("73000", "CHAMBÉRY", "73", 1),
    ("26000", "VALENCE", "26", 1),
    ("07200", "AUBENAS", "07", 1),
    ("84000", "AVIGNON", "84", 1),
    ("04000", "DIGNE-LES-BAINS", "04", 1),
    ("05000", "GAP", "05", 1),
    ("22000", "SAINT-BRIEUC", "22", 1),
    ("56000", "VANNES", "56", 1),
    ("29000", "QUIMPER", "29", 1),
    ("53000", "LAVAL", "53", 1),
    ("61000", "ALENÇON", "61", 1),
    ("27000", "ÉVREUX", "27", 1),
    ("28000", "CHARTRES", "28", 1),
    ("41000", "BLOIS", "41", 1),
    ("18000", "BOURGES", "18", 1),
    ("36000", "CHÂTEAUROUX", "36", 1),
    ("86000", "POITIERS", "86", 1),
    ("79000", "NIORT", "79", 1),
    ("16000", "ANGOULÊME", "16", 1),
    ("17000", "LA ROCHELLE", "17", 1),
    ("85000", "LA ROCHE-SUR-YON", "85", 1),
    ("10000", "TROYES", "10", 1),
    ("52000", "CHAUMONT", "52", 1),
    ("08000", "CHARLEVILLE-MÉZIÈRES", "08", 1),
    ("55000", "BAR-LE-DUC", "55", 1),
    ("88000", "ÉPINAL", "88", 1),
    ("70000", "VESOUL", "70", 1),
    ("39000", "LONS-LE-SAUNIER", "39", 1),
    ("90000", "BELFORT", "90", 1),
    ("58000", "NEVERS", "58", 1),
    ("71000", "MÂCON", "71", 1),
    ("89000", "AUXERRE", "89", 1),
    ("02000", "LAON", "02", 1),
    ("60000", "BEAUVAIS", "60", 1),
    ("62000", "ARRAS", "62", 1),
    ("97200", "FORT-DE-FRANCE", "972", 1),
    ("97100", "BASSE-TERRE", "971", 1),
    ("97300", "CAYENNE", "973", 1),
];

const WAY_TYPES: &[&str] = &[
    "R", "R", "R", "AV", "AV", "BD", "PL", "CHE", "RTE", "IMP", "ALL", "QU", "CRS",
];
const WAY_NAMES: &[&str] = &[
    "DES LILAS",
    "DE LA RÉPUBLIQUE",
    "VICTOR HUGO",
    "JEAN JAURÈS",
    "DU GÉNÉRAL DE GAULLE",
    "PASTEUR",
    "DE LA GARE",
    "DES ÉCOLES",
    "DU MOULIN",
    "SAINT-MARTIN",
    "GAMBETTA",
    "FOCH",
    "LOUIS PASTEUR",
    "DE PARIS",
    "NATIONALE",
    "DU 8 MAI 1945",
    "D'ALSACE-LORRAINE",
    "DES ÉTATS-UNIS",
    "ÉMILE ZOLA",
    "DE L'HÔPITAL",
    "DU PORT",
    "DES TILLEULS",
    "PIERRE ET MARIE CURIE",
    "SAINTE-CATHERINE",
];
const SERVICES: &[&str] = &[
    "Secrétariat cardiologie",
    "Service des urgences",
    "Laboratoire de biologie médicale",
    "Pharmacie à usage intérieur",
    "Bureau des entrées",
    "Imagerie médicale",
    "Maternité",
    "Pédiatrie",
    "Gériatrie",
    "Oncologie",
    "Chirurgie orthopédique",
    "Médecine interne",
    "Psychiatrie adulte",
    "Néphrologie - dialyse",
    "Secrétariat médical",
    "Consultations externes",
    "Département d'information médicale",
    "Réanimation",
    "Hôpital de jour",
    "Soins de suite et de réadaptation",
];
const ORG_KINDS: &[&str] = &[
    "CENTRE HOSPITALIER DE",
    "CHU DE",
    "CLINIQUE SAINT-JOSEPH DE",
    "POLYCLINIQUE DE",
    "CENTRE DE SANTÉ DE",
    "EHPAD LES GLYCINES DE",
    "MAISON DE SANTÉ PLURIPROFESSIONNELLE DE",
    "LABORATOIRE DE BIOLOGIE MÉDICALE DE",
    "CENTRE D'IMAGERIE DE",
    "HÔPITAL PRIVÉ DE",
    "GROUPEMENT HOSPITALIER DE TERRITOIRE DE",
    "CABINET DE RADIOLOGIE DE",
];

/// A seeded generator: the same data for the same seed.
struct Rng(rand::rngs::StdRng);
impl Rng {
    fn new(seed: u64) -> Self {
        Rng(rand::SeedableRng::seed_from_u64(seed))
    }
    fn next(&mut self) -> u64 {
        rand::RngCore::next_u64(&mut self.0)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, per_10000: u64) -> bool {
        self.next() % 10_000 < per_10000
    }
    /// Zipf-like pick: early items are much more frequent.
    fn skewed<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let u = (self.next() % 1_000_000) as f64 / 1_000_000.0;
        &items[(u.powf(1.4) * items.len() as f64) as usize % items.len()]
    }
    fn weighted<'a, T>(&mut self, items: &'a [T], weight: impl Fn(&T) -> u32) -> &'a T {
        let total: u32 = items.iter().map(&weight).sum();
        let mut x = (self.next() % total as u64) as u32;
        for it in items {
            let w = weight(it);
            if x < w {
                return it;
            }
            x -= w;
        }
        &items[0]
    }
}

fn ascii_local(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let c = match c {
            'À' | 'Â' | 'Ä' => 'a',
            'É' | 'È' | 'Ê' | 'Ë' => 'e',
            'Î' | 'Ï' => 'i',
            'Ô' | 'Ö' | 'Ó' => 'o',
            'Ù' | 'Û' | 'Ü' => 'u',
            'Ç' => 'c',
            'Œ' => {
                out.push_str("oe");
                continue;
            }
            ' ' | '\'' => continue,
            '-' => '-',
            c => c.to_ascii_lowercase(),
        };
        out.push(c);
    }
    out
}

/// The PS_LibreAcces header (52-column layout).
const PS_HEADER: &str = "Type d'identifiant PP|Identifiant PP|Identification nationale PP|Code civilité d'exercice|Libellé civilité d'exercice|Code civilité|Libellé civilité|Nom d'exercice|Prénom d'exercice|Code profession|Libellé profession|Code catégorie professionnelle|Libellé catégorie professionnelle|Code type savoir-faire|Libellé type savoir-faire|Code savoir-faire|Libellé savoir-faire|Code mode exercice|Libellé mode exercice|Numéro SIRET site|Numéro SIREN site|Numéro FINESS site|Numéro FINESS établissement juridique|Identifiant technique de la structure|Raison sociale site|Enseigne commerciale site|Complément destinataire (coord. structure)|Complément point géographique (coord. structure)|Numéro Voie (coord. structure)|Indice répétition voie (coord. structure)|Code type de voie (coord. structure)|Libellé type de voie (coord. structure)|Libellé Voie (coord. structure)|Mention distribution (coord. structure)|Bureau cedex (coord. structure)|Code postal (coord. structure)|Code commune (coord. structure)|Libellé commune (coord. structure)|Code pays (coord. structure)|Libellé pays (coord. structure)|Téléphone (coord. structure)|Téléphone 2 (coord. structure)|Télécopie (coord. structure)|Adresse e-mail (coord. structure)|Code Département (structure)|Libellé Département (structure)|Ancien identifiant de la structure|Autorité d'enregistrement|Code secteur d'activité|Libellé secteur d'activité|Code section tableau pharmaciens|Libellé section tableau pharmaciens|";

const PS_SKILL_TYPES: &[(&str, &str)] = &[
    ("S", "Spécialité ordinale"),
    ("CAPA", "Capacité"),
    ("C", "Compétence"),
    ("DEC", "Droit d'exercice complémentaire"),
];
const PS_CAPACITIES: &[(&str, &str)] = &[
    ("CAPA05", "Médecine d'urgence"),
    ("CAPA07", "Gérontologie"),
    ("CAPA12", "Médecine du sport"),
    ("CAPA15", "Addictologie clinique"),
    ("CAPA20", "Allergologie"),
];
const PS_SECTORS: &[(&str, &str)] = &[
    ("SA07", "Cabinet individuel"),
    ("SA08", "Cabinet de groupe"),
    ("SA01", "Etablissement public de santé"),
    ("SA05", "Etablissement privé non PSPH"),
    ("SA09", "Centre de santé"),
    ("SA25", "Laboratoire de biologie médicale"),
];

fn phone(rng: &mut Rng, dept: &str) -> String {
    let zone = match dept.get(..2).unwrap_or("75") {
        "75" | "77" | "78" | "91" | "92" | "93" | "94" | "95" => 1,
        "14" | "22" | "27" | "29" | "35" | "44" | "49" | "50" | "53" | "56" | "61" | "72"
        | "76" => 2,
        "02" | "08" | "10" | "21" | "25" | "39" | "51" | "52" | "54" | "55" | "57" | "67"
        | "68" | "88" | "89" | "90" => 3,
        "04" | "05" | "06" | "13" | "20" | "2A" | "2B" | "30" | "34" | "48" | "66" | "83"
        | "84" => 4,
        _ => 5,
    };
    format!(
        "0{zone}{:02}{:02}{:02}{:02}",
        rng.below(100),
        rng.below(100),
        rng.below(100),
        rng.below(100)
    )
}

/// One PS_LibreAcces row (52 fields and the trailing separator).
#[allow(clippy::too_many_arguments)]
fn ps_row(
    rng: &mut Rng,
    rpps: &str,
    civ: &str,
    family: &str,
    given: &str,
    profession: (&str, &str),
    skill: (&str, &str, &str, &str),
    structure: (&str, &str),
    site: &str,
    place: (&str, &str, &str),
) -> String {
    let (mode_code, mode) = if structure.0.is_empty() && structure.1.is_empty() {
        if rng.chance(9000) {
            ("L", "Libéral")
        } else {
            ("B", "Bénévole")
        }
    } else {
        ("S", "Salarié")
    };
    let sector = if !structure.1.is_empty() {
        PS_SECTORS[2 + rng.below(2)]
    } else {
        PS_SECTORS[rng.below(2)]
    };
    let (postcode, city, dept) = place;
    let (civ_code, civ_label) = match civ {
        "DR" => ("DR", "Docteur"),
        "PR" => ("PR", "Professeur"),
        _ => ("", ""),
    };
    let (sex_code, sex_label) = if rng.chance(5000) {
        ("M", "Monsieur")
    } else {
        ("MME", "Madame")
    };
    let tel = phone(rng, dept);
    let tel2 = if rng.chance(1500) {
        phone(rng, dept)
    } else {
        String::new()
    };
    let fax = if rng.chance(3000) {
        phone(rng, dept)
    } else {
        String::new()
    };
    let siret = if structure.0.is_empty() && structure.1.is_empty() {
        format!(
            "{:014}",
            rng.below(100_000_000) as u64 * 1_000_000 + rng.below(1_000_000) as u64
        )
    } else {
        structure.0.to_owned()
    };
    let siren = siret.get(..9).unwrap_or("").to_owned();
    let tech = format!("R{:08}", rng.below(100_000_000));
    format!(
        "8|{rpps}|8{rpps}|{civ_code}|{civ_label}|{sex_code}|{sex_label}|{family}|{given}|{}|{}|C|Civil|{}|{}|{}|{}|{mode_code}|{mode}|{siret}|{siren}|{}||{tech}|{site}||||{}||R|Rue|{}|||{postcode}|{}|{city}|99000|France|{tel}|{tel2}|{fax}||{dept}|{dept}|||{}|{}|||",
        profession.0,
        profession.1,
        skill.0,
        skill.1,
        skill.2,
        skill.3,
        structure.1,
        1 + rng.below(150),
        WAY_NAMES[rng.below(WAY_NAMES.len())],
        postcode,
        sector.0,
        sector.1,
    )
}

fn ps_libreacces(args: &[String]) -> std::io::Result<()> {
    let out = args
        .get(2)
        .map(String::as_str)
        .unwrap_or("PS_LibreAcces_Personne_activite.txt");
    let from = args.get(3).ok_or_else(|| {
        std::io::Error::other(
            "usage: gen_directory --ps-libreacces OUT.txt EXTRACTION.txt [ROWS] [SEED]",
        )
    })?;
    let rows: usize = args
        .get(4)
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_000_000);
    let seed: u64 = args
        .get(5)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_124);
    let mut rng = Rng::new(seed);
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(out)?);
    write!(w, "{PS_HEADER}\r\n")?;
    let reader = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(from)?);
    let (mut written, mut broken, mut people) = (0usize, 0usize, 0usize);
    let mut seen = std::collections::HashSet::new();
    let emit = |w: &mut BufWriter<std::fs::File>,
                rng: &mut Rng,
                written: &mut usize,
                broken: &mut usize,
                line: String|
     -> std::io::Result<()> {
        let line = if rng.chance(3) {
            *broken += 1;
            line.split('|').take(20).collect::<Vec<_>>().join("|")
        } else if rng.chance(10) {
            line.replacen("|Civil|", "|\"Civil\"|", 1)
        } else {
            line
        };
        *written += 1;
        write!(w, "{line}\r\n")
    };
    for line in reader.lines() {
        let line = line?;
        let f: Vec<&str> = line.trim_start_matches('\u{feff}').split('|').collect();
        if f.len() < 31
            || f[0] != "PER"
            || f[2] != "8"
            || written >= rows
            || !seen.insert(f[3].to_owned())
        {
            continue;
        }
        people += 1;
        let place = (
            f[28],
            f[27].split_once(' ').map_or(f[27], |(_, c)| c),
            f[29],
        );
        let site = if f[18].is_empty() { f[19] } else { f[18] };
        let structure = if f[6].is_empty() {
            ("", "")
        } else {
            ("", f[6].get(1..).unwrap_or(""))
        };
        let specialty = if f[15].is_empty() {
            ("", "", "", "")
        } else {
            ("S", "Spécialité ordinale", f[15], f[16])
        };
        let activities = 1 + usize::from(rng.chance(2500)) + usize::from(rng.chance(800));
        for a in 0..activities {
            let skill = if a == 0 || f[13] != "10" {
                specialty
            } else {
                let (t, tl) = PS_SKILL_TYPES[1];
                let (c, l) = PS_CAPACITIES[rng.below(PS_CAPACITIES.len())];
                (t, tl, c, l)
            };
            let (structure, site) = if a == 0 {
                (structure, site.to_owned())
            } else {
                (("", ""), format!("CABINET DU DR {}", f[9]))
            };
            let row = ps_row(
                &mut rng,
                f[3],
                f[8],
                f[9],
                f[10],
                (f[13], f[14]),
                skill,
                structure,
                &site,
                place,
            );
            emit(&mut w, &mut rng, &mut written, &mut broken, row)?;
        }
    }
    // Professionals without an MSSanté mailbox.
    while written < rows {
        let (pcode, plabel, _, specs, _) = *rng.weighted(PROFESSIONS, |p| p.2);
        let skill = if specs.is_empty() {
            ("", "", "", "")
        } else {
            let s = rng.weighted(specs, |s| s.2);
            ("S", "Spécialité ordinale", s.0, s.1)
        };
        let (postcode, commune, dept, _) = *rng.weighted(COMMUNES, |c| c.3);
        let rpps = format!("20{:09}", rng.below(1_000_000_000));
        let family = *rng.skewed(SURNAMES);
        let given = *rng.skewed(GIVEN);
        let civ = if pcode == "10" { "DR" } else { "" };
        let site = format!("CABINET {family}");
        let row = ps_row(
            &mut rng,
            &rpps,
            civ,
            family,
            given,
            (pcode, plabel),
            skill,
            ("", ""),
            &site,
            (postcode, commune, dept),
        );
        emit(&mut w, &mut rng, &mut written, &mut broken, row)?;
    }
    w.flush()?;
    eprintln!(
        "{written} rows written to {out} ({people} professionals of {from}, {broken} broken)"
    );
    Ok(())
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--ps-libreacces") {
        return ps_libreacces(&args);
    }
    let out = args
        .get(1)
        .map(String::as_str)
        .unwrap_or("Extraction_Correspondance_MSSante.txt");
    let rows: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(536_000);
    let seed: u64 = args
        .get(3)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_123);
    let mut rng = Rng::new(seed);
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(out)?);
    w.write_all(b"\xEF\xBB\xBF")?;
    write!(w, "{HEADER}\r\n")?;
    let mut used: HashMap<String, u32> = HashMap::new();
    let mut recent: Vec<String> = Vec::new();
    let (mut dups, mut broken) = (0, 0);
    for i in 0..rows {
        // Defects, at rates seen in real extractions.
        if !recent.is_empty() && rng.chance(20) {
            let line = recent[rng.below(recent.len())].clone();
            write!(w, "{line}\r\n")?;
            dups += 1;
            continue;
        }
        let (postcode, commune, dept, _) = *rng.weighted(COMMUNES, |c| c.3);
        let l6_city = if rng.chance(3000) {
            commune.replace("SAINT-", "ST ").replace('-', " ")
        } else {
            commune.to_owned()
        };
        let way = format!(
            "{}|{}|{}|{}",
            1 + rng.below(180),
            if rng.chance(300) { "BIS" } else { "" },
            WAY_TYPES[rng.below(WAY_TYPES.len())],
            WAY_NAMES[rng.below(WAY_NAMES.len())]
        );
        let l2 = if rng.chance(800) { "BÂTIMENT A" } else { "" };
        let l3 = if rng.chance(300) {
            format!("BP {}", 10 + rng.below(900))
        } else {
            String::new()
        };
        let paper = if rng.chance(3500) { "true" } else { "false" };
        let org_name = format!("{} {}", ORG_KINDS[rng.below(ORG_KINDS.len())], commune);
        let line = if rng.chance(8500) {
            let (pcode, plabel, _, specs, domain) = *rng.weighted(PROFESSIONS, |p| p.2);
            let (scode, slabel) = if specs.is_empty() {
                ("", "")
            } else {
                let s = rng.weighted(specs, |s| s.2);
                (s.0, s.1)
            };
            let family = *rng.skewed(SURNAMES);
            let given = *rng.skewed(GIVEN);
            let mut local = format!("{}.{}", ascii_local(given), ascii_local(family));
            let n = used.entry(local.clone()).or_insert(0);
            *n += 1;
            if *n > 1 {
                local = format!("{local}{}", *n);
            }
            let hospital = rng.chance(2500);
            let domain = if hospital {
                format!("ch-{}.mssante.fr", ascii_local(commune))
            } else if rng.chance(500) {
                "mssante.apicrypt.org".into()
            } else {
                domain.to_owned()
            };
            let civ = match pcode {
                "10" => {
                    if rng.chance(400) {
                        "PR"
                    } else {
                        "DR"
                    }
                }
                "40" | "21" => "DR",
                _ => "",
            };
            let (idtype, id, national) = if rng.chance(9000) {
                let rpps = format!("10{:09}", rng.below(1_000_000_000));
                ("8", rpps.clone(), format!("8{rpps}"))
            } else {
                let adeli = format!("{:02}{:07}", rng.below(95) + 1, rng.below(10_000_000));
                ("0", adeli.clone(), format!("0{adeli}"))
            };
            let (cat, catlabel) = if rng.chance(100) {
                ("M", "Militaire")
            } else if rng.chance(50) {
                ("E", "Etudiant")
            } else {
                ("C", "Civil")
            };
            let (st_type, st_id, raison, service) = if hospital {
                (
                    "1",
                    format!("1{:08}", rng.below(100_000_000)),
                    org_name.clone(),
                    SERVICES[rng.below(SERVICES.len())].to_owned(),
                )
            } else {
                (
                    "",
                    String::new(),
                    format!(
                        "CABINET DU {} {}",
                        if civ.is_empty() { "" } else { "DR" },
                        family
                    )
                    .replace("  ", " "),
                    String::new(),
                )
            };
            let _ = i;
            format!(
                "PER|{local}@{domain}|{idtype}|{id}|{national}|{st_type}|{st_id}|{service}|{civ}|{family}|{given}|{cat}|{catlabel}|{pcode}|{plabel}|{scode}|{slabel}|{paper}|{raison}||{l2}|{l3}|{way}||{postcode} {l6_city}|{postcode}|{dept}|France"
            )
        } else {
            let service = SERVICES[rng.below(SERVICES.len())];
            let mut local = ascii_local(service).replace(['\'', ','], "");
            local.truncate(30);
            let domain = format!("ch-{}.mssante.fr", ascii_local(commune));
            let key = format!("{local}@{domain}");
            let n = used.entry(key).or_insert(0);
            *n += 1;
            if *n > 1 {
                local = format!("{local}.{}", *n);
            }
            let enseigne = if rng.chance(2000) {
                format!("{} {}", "HÔPITAL", commune)
            } else {
                String::new()
            };
            format!(
                "ORG|{local}@{domain}||||1|1{:08}|{service}||||||||||{paper}|{org_name}|{enseigne}|{l2}|{l3}|{way}||{postcode} {l6_city}|{postcode}|{dept}|France",
                rng.below(100_000_000)
            )
        };
        let line = if rng.chance(5) {
            broken += 1;
            // Truncated row (a cut line) or an extra separator in a name.
            let cut = line.split('|').take(12).collect::<Vec<_>>().join("|");
            if rng.chance(5000) {
                cut
            } else {
                line.replacen("|France", "|France|X", 1)
            }
        } else if rng.chance(10) {
            // Stray quotes around a field.
            line.replacen("|CABINET", "|\"CABINET", 1)
                .replacen("||", "\"||", 1)
        } else {
            line
        };
        if recent.len() < 5000 {
            recent.push(line.clone());
        } else if rng.chance(50) {
            let k = rng.below(recent.len());
            recent[k] = line.clone();
        }
        write!(w, "{line}\r\n")?;
    }
    w.flush()?;
    eprintln!("{rows} rows written to {out} ({dups} duplicated, {broken} broken)");
    Ok(())
}
