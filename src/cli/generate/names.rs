//! Believable names: organismes by family ("Habitat 35", "Logis Méditerranée", "Coop Hlm Val
//! de Loire"), residences, streets and people, and the slugs their e-mail addresses use.

use rand::rngs::StdRng;

use super::places::{Area, Department};
use super::stamp::{chance, pick};
use crate::domain::Family;

#[rustfmt::skip]
const FIRST_NAMES: [&str; 48] = [
    "Marie", "Nathalie", "Isabelle", "Sophie", "Camille", "Julie", "Aurélie", "Céline",
    "Sandrine", "Émilie", "Claire", "Laure", "Fatima", "Nadia", "Leïla", "Karima", "Sarah",
    "Inès", "Chloé", "Léa", "Anne", "Hélène", "Valérie", "Agnès", "Jean", "Pierre", "Nicolas",
    "Laurent", "Stéphane", "Olivier", "Thomas", "Julien", "Sébastien", "Christophe", "Karim",
    "Mehdi", "Youssef", "Antoine", "Mathieu", "François", "Philippe", "Éric", "David",
    "Frédéric", "Mamadou", "Hugo", "Vincent", "Alexandre",
];

#[rustfmt::skip]
const LAST_NAMES: [&str; 56] = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert",
    "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc",
    "Guérin", "Muller", "Henry", "Roussel", "Perrin", "Morin", "Clément", "Gauthier", "Dumont",
    "Lopez", "Fontaine", "Chevalier", "Robin", "Benali", "Haddad", "Diallo", "Nguyen",
    "Rivière", "Le Gall", "Kerbrat", "Payet", "Hoarau",
];

#[rustfmt::skip]
const TREES: [&str; 22] = [
    "Tilleuls", "Chênes", "Peupliers", "Érables", "Marronniers", "Acacias", "Platanes",
    "Bouleaux", "Cèdres", "Saules", "Lilas", "Glycines", "Mimosas", "Camélias", "Pins",
    "Frênes", "Aubépines", "Bleuets", "Coquelicots", "Genêts", "Magnolias", "Oliviers",
];

#[rustfmt::skip]
const PEOPLE: [&str; 30] = [
    "Jean Moulin", "Pablo Picasso", "Victor Hugo", "Jean Jaurès", "Louise Michel", "Paul Éluard",
    "Marie Curie", "Simone Veil", "Aimé Césaire", "Lucie Aubrac", "Jules Ferry", "George Sand",
    "Olympe de Gouges", "Frédéric Mistral", "Colette", "Émile Zola", "Gisèle Halimi",
    "Joséphine Baker", "Albert Camus", "Pierre Brossolette", "Germaine Tillion", "Jean Zay",
    "Rosa Parks", "Léo Lagrange", "Henri Barbusse", "Gustave Courbet", "Camille Claudel",
    "Louis Pasteur", "Jacques Prévert", "Boris Vian",
];

#[rustfmt::skip]
const PLACES: [&str; 24] = [
    "Moulin", "Parc", "Bois", "Val", "Plateau", "Coteau", "Canal", "Château", "Verger",
    "Soleil", "Mail", "Port", "Stade", "Lavoir", "Vallon", "Marché", "Prieuré", "Belvédère",
    "Pré", "Ruisseau", "Carreau", "Couvent", "Phare", "Viaduc",
];

const STREETS: [&str; 7] = [
    "rue",
    "avenue",
    "allée",
    "boulevard",
    "place",
    "chemin",
    "impasse",
];

/// "de Lyon", "d’Angers", "du Havre", "des Sables", "de la Rochelle".
pub fn of(name: &str) -> String {
    if let Some(rest) = name.strip_prefix("Le ") {
        return format!("du {rest}");
    }
    if let Some(rest) = name.strip_prefix("Les ") {
        return format!("des {rest}");
    }
    if let Some(rest) = name.strip_prefix("La ") {
        return format!("de la {rest}");
    }
    let vowel = name
        .chars()
        .next()
        .is_some_and(|c| "AEIOUYÂÉÈÊÎÔ".contains(c));
    if vowel {
        format!("d’{name}")
    } else {
        format!("de {name}")
    }
}

/// Candidate names of an organisme, most typical first; the caller keeps the first not taken.
pub fn organisme_candidates(
    rng: &mut StdRng,
    family: Family,
    area: &Area,
    department: &Department,
) -> Vec<String> {
    let city = pick(rng, department.communes).0;
    let city = city.split(' ').next().unwrap_or(city);
    let word = *pick(rng, area.words);
    let dept = department.name;
    let code = department.code;
    let mut names = match family {
        Family::Oph => vec![
            format!("{dept} Habitat"),
            format!("Habitat {code}"),
            format!("{city} Habitat"),
            format!("OPH {}", of(city)),
            format!("{city} Métropole Habitat"),
            format!("Office public de l’habitat {}", of(dept)),
        ],
        Family::Esh => {
            let kind = *pick(
                rng,
                &[
                    "Logis",
                    "Immobilière",
                    "Le Foyer",
                    "Le Toit",
                    "Les Résidences",
                    "Logement",
                ],
            );
            vec![
                format!("{kind} {word}"),
                format!("Logis {word}"),
                format!("Immobilière {}", of(dept)),
                format!("Habitat {word}"),
                format!("Société d’Hlm {}", of(city)),
                format!("{kind} {}", of(city)),
            ]
        }
        Family::Coop => vec![
            format!("Coop Hlm {word}"),
            format!("Coopérative Habitat {word}"),
            format!("Les Castors {}", of(dept)),
            format!("{word} Accession Coopérative"),
            format!("Coop Hlm {dept}"),
            format!("Coopérative d’Hlm {}", of(city)),
        ],
        Family::Sem | Family::Other => vec![
            format!("SEM Habitat {word}"),
            format!("Société immobilière {}", of(city)),
            format!("Société d’économie mixte {}", of(city)),
            format!("{city} Logement SEM"),
            format!("SEM {dept} Logement"),
        ],
    };
    if chance(rng, 0.3) {
        names.rotate_left(1);
    }
    names
}

/// A residence (groupe immobilier) name.
pub fn residence(rng: &mut StdRng) -> String {
    match rng_index(rng, 9) {
        0 => format!("Résidence Les {}", pick(rng, &TREES)),
        1 => format!("Cité {}", pick(rng, &PEOPLE)),
        2 => format!("Le Clos du {}", pick(rng, &PLACES)),
        3 => format!("Les Jardins du {}", pick(rng, &PLACES)),
        4 => format!("Les Terrasses du {}", pick(rng, &PLACES)),
        5 => format!("Résidence {}", pick(rng, &PEOPLE)),
        6 => format!("Le Hameau des {}", pick(rng, &TREES)),
        7 => format!("Les Hauts du {}", pick(rng, &PLACES)),
        _ => format!("Quartier {}", pick(rng, &PEOPLE)),
    }
}

fn rng_index(rng: &mut StdRng, n: usize) -> usize {
    rand::Rng::random_range(rng, 0..n)
}

pub fn address(rng: &mut StdRng) -> String {
    let number = rng_index(rng, 120) + 1;
    let street = pick(rng, &STREETS);
    let name = match rng_index(rng, 3) {
        0 => format!("des {}", pick(rng, &TREES)),
        1 => pick(rng, &PEOPLE).to_string(),
        _ => format!("du {}", pick(rng, &PLACES)),
    };
    format!("{number} {street} {name}")
}

pub fn person(rng: &mut StdRng) -> String {
    format!("{} {}", pick(rng, &FIRST_NAMES), pick(rng, &LAST_NAMES))
}

/// Lower-case ASCII words joined by hyphens, for e-mail addresses: "coop-hlm-val-de-loire".
pub fn slug(name: &str) -> String {
    let folded = deunicode::deunicode(name).to_lowercase();
    let mut out = String::new();
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').chars().take(60).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elision_and_slugs() {
        assert_eq!(of("Angers"), "d’Angers");
        assert_eq!(of("Le Havre"), "du Havre");
        assert_eq!(of("Lyon"), "de Lyon");
        assert_eq!(of("Évreux"), "d’Évreux");
        assert_eq!(slug("Coop Hlm Val de Loire"), "coop-hlm-val-de-loire");
        assert_eq!(
            slug("Office public de l’habitat d’Évreux"),
            "office-public-de-l-habitat-d-evreux"
        );
        assert!(
            crate::domain::Email::parse(&format!("qualite@{}.test", slug("Côte d’Azur Habitat")))
                .is_ok()
        );
    }
}
