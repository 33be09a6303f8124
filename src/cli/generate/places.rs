//! Where generated organismes live: the 18 regions weighted by population (INSEE, 2021, in
//! thousands), words their organismes' names draw on, and departments with real communes
//! and postal codes, so that a head office's postal code always matches its region.

#[derive(Debug)]
pub struct Department {
    pub code: &'static str,
    pub name: &'static str,
    /// (commune, postal code)
    pub communes: &'static [(&'static str, &'static str)],
}

#[derive(Debug)]
pub struct Area {
    /// INSEE region code (see `domain::region`)
    pub region: &'static str,
    pub population: u32,
    /// Words of the region that names draw on ("Logis Méditerranée")
    pub words: &'static [&'static str],
    pub departments: &'static [Department],
}

macro_rules! dep {
    ($code:literal, $name:literal, [$(($c:literal, $p:literal)),+ $(,)?]) => {
        Department { code: $code, name: $name, communes: &[$(($c, $p)),+] }
    };
}

#[rustfmt::skip]
pub const AREAS: [Area; 18] = [
    Area { region: "11", population: 12_317, words: &["Île-de-France", "Francilien", "Val de Seine", "Seine et Marne", "Grand Paris"], departments: &[
        dep!("75", "Paris", [("Paris 11e", "75011"), ("Paris 13e", "75013"), ("Paris 19e", "75019"), ("Paris 20e", "75020")]),
        dep!("77", "Seine-et-Marne", [("Meaux", "77100"), ("Melun", "77000"), ("Chelles", "77500"), ("Torcy", "77200")]),
        dep!("78", "Yvelines", [("Versailles", "78000"), ("Mantes-la-Jolie", "78200"), ("Trappes", "78190"), ("Les Mureaux", "78130")]),
        dep!("91", "Essonne", [("Évry-Courcouronnes", "91000"), ("Corbeil-Essonnes", "91100"), ("Massy", "91300"), ("Grigny", "91350")]),
        dep!("92", "Hauts-de-Seine", [("Nanterre", "92000"), ("Gennevilliers", "92230"), ("Clichy", "92110"), ("Châtillon", "92320")]),
        dep!("93", "Seine-Saint-Denis", [("Saint-Denis", "93200"), ("Bobigny", "93000"), ("Aubervilliers", "93300"), ("Montreuil", "93100")]),
        dep!("94", "Val-de-Marne", [("Créteil", "94000"), ("Vitry-sur-Seine", "94400"), ("Champigny-sur-Marne", "94500"), ("Ivry-sur-Seine", "94200")]),
        dep!("95", "Val-d’Oise", [("Cergy", "95000"), ("Argenteuil", "95100"), ("Sarcelles", "95200"), ("Garges-lès-Gonesse", "95140")]),
    ]},
    Area { region: "84", population: 8_114, words: &["Rhône", "Alpes", "Dauphiné", "Savoie", "Auvergne", "Forez"], departments: &[
        dep!("01", "Ain", [("Bourg-en-Bresse", "01000"), ("Oyonnax", "01100")]),
        dep!("03", "Allier", [("Moulins", "03000"), ("Montluçon", "03100"), ("Vichy", "03200")]),
        dep!("07", "Ardèche", [("Privas", "07000"), ("Annonay", "07100")]),
        dep!("15", "Cantal", [("Aurillac", "15000")]),
        dep!("26", "Drôme", [("Valence", "26000"), ("Montélimar", "26200"), ("Romans-sur-Isère", "26100")]),
        dep!("38", "Isère", [("Grenoble", "38000"), ("Échirolles", "38130"), ("Vienne", "38200"), ("Bourgoin-Jallieu", "38300")]),
        dep!("42", "Loire", [("Saint-Étienne", "42000"), ("Roanne", "42300"), ("Firminy", "42700")]),
        dep!("43", "Haute-Loire", [("Le Puy-en-Velay", "43000")]),
        dep!("63", "Puy-de-Dôme", [("Clermont-Ferrand", "63000"), ("Riom", "63200"), ("Thiers", "63300")]),
        dep!("69", "Rhône", [("Lyon 8e", "69008"), ("Villeurbanne", "69100"), ("Vénissieux", "69200"), ("Vaulx-en-Velin", "69120"), ("Bron", "69500")]),
        dep!("73", "Savoie", [("Chambéry", "73000"), ("Aix-les-Bains", "73100")]),
        dep!("74", "Haute-Savoie", [("Annecy", "74000"), ("Annemasse", "74100"), ("Thonon-les-Bains", "74200")]),
    ]},
    Area { region: "75", population: 6_033, words: &["Atlantique", "Aquitaine", "Gironde", "Limousin", "Poitou", "Adour"], departments: &[
        dep!("16", "Charente", [("Angoulême", "16000"), ("Cognac", "16100")]),
        dep!("17", "Charente-Maritime", [("La Rochelle", "17000"), ("Rochefort", "17300"), ("Saintes", "17100")]),
        dep!("19", "Corrèze", [("Brive-la-Gaillarde", "19100"), ("Tulle", "19000")]),
        dep!("23", "Creuse", [("Guéret", "23000")]),
        dep!("24", "Dordogne", [("Périgueux", "24000"), ("Bergerac", "24100")]),
        dep!("33", "Gironde", [("Bordeaux", "33000"), ("Mérignac", "33700"), ("Pessac", "33600"), ("Lormont", "33310")]),
        dep!("40", "Landes", [("Mont-de-Marsan", "40000"), ("Dax", "40100")]),
        dep!("47", "Lot-et-Garonne", [("Agen", "47000"), ("Villeneuve-sur-Lot", "47300")]),
        dep!("64", "Pyrénées-Atlantiques", [("Pau", "64000"), ("Bayonne", "64100")]),
        dep!("79", "Deux-Sèvres", [("Niort", "79000")]),
        dep!("86", "Vienne", [("Poitiers", "86000"), ("Châtellerault", "86100")]),
        dep!("87", "Haute-Vienne", [("Limoges", "87000")]),
    ]},
    Area { region: "32", population: 5_987, words: &["Flandre", "Artois", "Picardie", "Hainaut", "Côte d’Opale", "Nord"], departments: &[
        dep!("02", "Aisne", [("Saint-Quentin", "02100"), ("Laon", "02000"), ("Soissons", "02200")]),
        dep!("59", "Nord", [("Lille", "59000"), ("Roubaix", "59100"), ("Tourcoing", "59200"), ("Dunkerque", "59140"), ("Valenciennes", "59300"), ("Douai", "59500")]),
        dep!("60", "Oise", [("Beauvais", "60000"), ("Compiègne", "60200"), ("Creil", "60100")]),
        dep!("62", "Pas-de-Calais", [("Arras", "62000"), ("Lens", "62300"), ("Calais", "62100"), ("Boulogne-sur-Mer", "62200"), ("Liévin", "62800")]),
        dep!("80", "Somme", [("Amiens", "80000"), ("Abbeville", "80100")]),
    ]},
    Area { region: "76", population: 5_973, words: &["Occitanie", "Pays d’Oc", "Garonne", "Pyrénées", "Languedoc"], departments: &[
        dep!("09", "Ariège", [("Foix", "09000"), ("Pamiers", "09100")]),
        dep!("11", "Aude", [("Carcassonne", "11000"), ("Narbonne", "11100")]),
        dep!("12", "Aveyron", [("Rodez", "12000"), ("Millau", "12100")]),
        dep!("30", "Gard", [("Nîmes", "30000"), ("Alès", "30100")]),
        dep!("31", "Haute-Garonne", [("Toulouse", "31000"), ("Colomiers", "31770"), ("Blagnac", "31700")]),
        dep!("32", "Gers", [("Auch", "32000")]),
        dep!("34", "Hérault", [("Montpellier", "34000"), ("Béziers", "34500"), ("Sète", "34200")]),
        dep!("46", "Lot", [("Cahors", "46000")]),
        dep!("48", "Lozère", [("Mende", "48000")]),
        dep!("65", "Hautes-Pyrénées", [("Tarbes", "65000")]),
        dep!("66", "Pyrénées-Orientales", [("Perpignan", "66000")]),
        dep!("81", "Tarn", [("Albi", "81000"), ("Castres", "81100")]),
        dep!("82", "Tarn-et-Garonne", [("Montauban", "82000")]),
    ]},
    Area { region: "44", population: 5_562, words: &["Alsace", "Lorraine", "Champagne", "Rhin", "Moselle", "Ardennes"], departments: &[
        dep!("08", "Ardennes", [("Charleville-Mézières", "08000"), ("Sedan", "08200")]),
        dep!("10", "Aube", [("Troyes", "10000")]),
        dep!("51", "Marne", [("Reims", "51100"), ("Châlons-en-Champagne", "51000"), ("Épernay", "51200")]),
        dep!("52", "Haute-Marne", [("Chaumont", "52000"), ("Saint-Dizier", "52100")]),
        dep!("54", "Meurthe-et-Moselle", [("Nancy", "54000"), ("Vandœuvre-lès-Nancy", "54500"), ("Lunéville", "54300")]),
        dep!("55", "Meuse", [("Bar-le-Duc", "55000"), ("Verdun", "55100")]),
        dep!("57", "Moselle", [("Metz", "57000"), ("Thionville", "57100"), ("Forbach", "57600")]),
        dep!("67", "Bas-Rhin", [("Strasbourg", "67000"), ("Haguenau", "67500"), ("Schiltigheim", "67300")]),
        dep!("68", "Haut-Rhin", [("Mulhouse", "68100"), ("Colmar", "68000")]),
        dep!("88", "Vosges", [("Épinal", "88000"), ("Saint-Dié-des-Vosges", "88100")]),
    ]},
    Area { region: "93", population: 5_098, words: &["Méditerranée", "Provence", "Côte d’Azur", "Alpes du Sud", "Durance"], departments: &[
        dep!("04", "Alpes-de-Haute-Provence", [("Digne-les-Bains", "04000"), ("Manosque", "04100")]),
        dep!("05", "Hautes-Alpes", [("Gap", "05000"), ("Briançon", "05100")]),
        dep!("06", "Alpes-Maritimes", [("Nice", "06000"), ("Cannes", "06400"), ("Antibes", "06600"), ("Grasse", "06130")]),
        dep!("13", "Bouches-du-Rhône", [("Marseille 13e", "13013"), ("Marseille 15e", "13015"), ("Aix-en-Provence", "13100"), ("Arles", "13200"), ("Martigues", "13500"), ("Aubagne", "13400")]),
        dep!("83", "Var", [("Toulon", "83000"), ("La Seyne-sur-Mer", "83500"), ("Fréjus", "83600"), ("Hyères", "83400")]),
        dep!("84", "Vaucluse", [("Avignon", "84000"), ("Carpentras", "84200"), ("Orange", "84100")]),
    ]},
    Area { region: "52", population: 3_832, words: &["Atlantique", "Loire", "Vendée", "Maine", "Anjou"], departments: &[
        dep!("44", "Loire-Atlantique", [("Nantes", "44000"), ("Saint-Nazaire", "44600"), ("Rezé", "44400"), ("Saint-Herblain", "44800")]),
        dep!("49", "Maine-et-Loire", [("Angers", "49000"), ("Cholet", "49300"), ("Saumur", "49400")]),
        dep!("53", "Mayenne", [("Laval", "53000")]),
        dep!("72", "Sarthe", [("Le Mans", "72000")]),
        dep!("85", "Vendée", [("La Roche-sur-Yon", "85000"), ("Les Sables-d’Olonne", "85100")]),
    ]},
    Area { region: "53", population: 3_373, words: &["Armor", "Bretagne", "Iroise", "Argoat"], departments: &[
        dep!("22", "Côtes-d’Armor", [("Saint-Brieuc", "22000"), ("Lannion", "22300")]),
        dep!("29", "Finistère", [("Brest", "29200"), ("Quimper", "29000"), ("Morlaix", "29600")]),
        dep!("35", "Ille-et-Vilaine", [("Rennes", "35000"), ("Saint-Malo", "35400"), ("Fougères", "35300")]),
        dep!("56", "Morbihan", [("Vannes", "56000"), ("Lorient", "56100"), ("Lanester", "56600")]),
    ]},
    Area { region: "28", population: 3_318, words: &["Normandie", "Seine", "Cotentin", "Pays de Caux"], departments: &[
        dep!("14", "Calvados", [("Caen", "14000"), ("Lisieux", "14100"), ("Hérouville-Saint-Clair", "14200")]),
        dep!("27", "Eure", [("Évreux", "27000"), ("Vernon", "27200")]),
        dep!("50", "Manche", [("Cherbourg-en-Cotentin", "50100"), ("Saint-Lô", "50000")]),
        dep!("61", "Orne", [("Alençon", "61000"), ("Flers", "61100")]),
        dep!("76", "Seine-Maritime", [("Rouen", "76000"), ("Le Havre", "76600"), ("Dieppe", "76200"), ("Elbeuf", "76500")]),
    ]},
    Area { region: "27", population: 2_800, words: &["Bourgogne", "Franche-Comté", "Saône", "Morvan", "Jura"], departments: &[
        dep!("21", "Côte-d’Or", [("Dijon", "21000"), ("Beaune", "21200"), ("Chenôve", "21300")]),
        dep!("25", "Doubs", [("Besançon", "25000"), ("Montbéliard", "25200"), ("Pontarlier", "25300")]),
        dep!("39", "Jura", [("Lons-le-Saunier", "39000"), ("Dole", "39100")]),
        dep!("58", "Nièvre", [("Nevers", "58000")]),
        dep!("70", "Haute-Saône", [("Vesoul", "70000")]),
        dep!("71", "Saône-et-Loire", [("Chalon-sur-Saône", "71100"), ("Mâcon", "71000"), ("Le Creusot", "71200")]),
        dep!("89", "Yonne", [("Auxerre", "89000"), ("Sens", "89100")]),
        dep!("90", "Territoire de Belfort", [("Belfort", "90000")]),
    ]},
    Area { region: "24", population: 2_573, words: &["Val de Loire", "Touraine", "Berry", "Sologne", "Orléanais"], departments: &[
        dep!("18", "Cher", [("Bourges", "18000"), ("Vierzon", "18100")]),
        dep!("28", "Eure-et-Loir", [("Chartres", "28000"), ("Dreux", "28100")]),
        dep!("36", "Indre", [("Châteauroux", "36000")]),
        dep!("37", "Indre-et-Loire", [("Tours", "37000"), ("Joué-lès-Tours", "37300")]),
        dep!("41", "Loir-et-Cher", [("Blois", "41000")]),
        dep!("45", "Loiret", [("Orléans", "45000"), ("Montargis", "45200"), ("Fleury-les-Aubrais", "45400")]),
    ]},
    Area { region: "04", population: 871, words: &["Réunion", "Océan Indien", "Île Bourbon"], departments: &[
        dep!("974", "La Réunion", [("Saint-Denis", "97400"), ("Saint-Paul", "97460"), ("Saint-Pierre", "97410"), ("Le Tampon", "97430"), ("Saint-André", "97440")]),
    ]},
    Area { region: "01", population: 384, words: &["Guadeloupe", "Caraïbes", "Basse-Terre"], departments: &[
        dep!("971", "Guadeloupe", [("Pointe-à-Pitre", "97110"), ("Les Abymes", "97139"), ("Baie-Mahault", "97122"), ("Le Gosier", "97190")]),
    ]},
    Area { region: "02", population: 361, words: &["Martinique", "Antilles", "Madinina"], departments: &[
        dep!("972", "Martinique", [("Fort-de-France", "97200"), ("Le Lamentin", "97232"), ("Schœlcher", "97233")]),
    ]},
    Area { region: "94", population: 344, words: &["Corse", "Île de Beauté"], departments: &[
        dep!("2A", "Corse-du-Sud", [("Ajaccio", "20000"), ("Porto-Vecchio", "20137")]),
        dep!("2B", "Haute-Corse", [("Bastia", "20200"), ("Corte", "20250")]),
    ]},
    Area { region: "06", population: 299, words: &["Mayotte", "Lagon"], departments: &[
        dep!("976", "Mayotte", [("Mamoudzou", "97600"), ("Koungou", "97690"), ("Dzaoudzi", "97615")]),
    ]},
    Area { region: "03", population: 286, words: &["Guyane", "Amazonie"], departments: &[
        dep!("973", "Guyane", [("Cayenne", "97300"), ("Kourou", "97310"), ("Matoury", "97351"), ("Saint-Laurent-du-Maroni", "97320")]),
    ]},
];

pub fn area(region: &str) -> &'static Area {
    AREAS
        .iter()
        .find(|a| a.region == region)
        .unwrap_or(&AREAS[0])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{PostalCode, Region};

    #[test]
    fn every_region_once_with_valid_postal_codes() {
        let mut codes: Vec<&str> = AREAS.iter().map(|a| a.region).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 18);
        for area in &AREAS {
            let region = Region::by_code(area.region).expect("known region");
            for department in area.departments {
                for (commune, postal) in department.communes {
                    assert!(PostalCode::parse(postal).is_ok(), "{commune} {postal}");
                    let zone = crate::domain::calendar::Zone::from_postal_code(postal);
                    assert_eq!(
                        zone == crate::domain::calendar::Zone::Metropole
                            || zone == crate::domain::calendar::Zone::AlsaceMoselle,
                        !region.overseas,
                        "{commune}"
                    );
                }
            }
        }
    }
}
