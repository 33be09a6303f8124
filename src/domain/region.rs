//! The 18 regions of France (13 metropolitan, 5 overseas), by INSEE code.

use super::Invalid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Region {
    pub code: &'static str,
    pub name: &'static str,
    pub overseas: bool,
}

pub const REGIONS: [Region; 18] = [
    Region {
        code: "84",
        name: "Auvergne-Rhône-Alpes",
        overseas: false,
    },
    Region {
        code: "27",
        name: "Bourgogne-Franche-Comté",
        overseas: false,
    },
    Region {
        code: "53",
        name: "Bretagne",
        overseas: false,
    },
    Region {
        code: "24",
        name: "Centre-Val de Loire",
        overseas: false,
    },
    Region {
        code: "94",
        name: "Corse",
        overseas: false,
    },
    Region {
        code: "44",
        name: "Grand Est",
        overseas: false,
    },
    Region {
        code: "32",
        name: "Hauts-de-France",
        overseas: false,
    },
    Region {
        code: "11",
        name: "Île-de-France",
        overseas: false,
    },
    Region {
        code: "28",
        name: "Normandie",
        overseas: false,
    },
    Region {
        code: "75",
        name: "Nouvelle-Aquitaine",
        overseas: false,
    },
    Region {
        code: "76",
        name: "Occitanie",
        overseas: false,
    },
    Region {
        code: "52",
        name: "Pays de la Loire",
        overseas: false,
    },
    Region {
        code: "93",
        name: "Provence-Alpes-Côte d’Azur",
        overseas: false,
    },
    Region {
        code: "01",
        name: "Guadeloupe",
        overseas: true,
    },
    Region {
        code: "02",
        name: "Martinique",
        overseas: true,
    },
    Region {
        code: "03",
        name: "Guyane",
        overseas: true,
    },
    Region {
        code: "04",
        name: "La Réunion",
        overseas: true,
    },
    Region {
        code: "06",
        name: "Mayotte",
        overseas: true,
    },
];

impl Region {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let code = raw.trim();
        if code.is_empty() {
            return Err(Invalid::new("err-required"));
        }
        Self::by_code(code).ok_or_else(|| Invalid::new("err-unknown-region"))
    }

    pub fn by_code(code: &str) -> Option<Self> {
        REGIONS.iter().copied().find(|r| r.code == code)
    }

    pub fn all() -> &'static [Region] {
        &REGIONS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eighteen_distinct_regions() {
        let mut codes: Vec<_> = REGIONS.iter().map(|r| r.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 18);
        assert_eq!(REGIONS.iter().filter(|r| r.overseas).count(), 5);
    }

    #[test]
    fn regions_parse_by_code() {
        assert_eq!(Region::parse("11").unwrap().name, "Île-de-France");
        assert_eq!(Region::parse("99").unwrap_err().key, "err-unknown-region");
        assert_eq!(Region::parse(" ").unwrap_err().key, "err-required");
    }
}
