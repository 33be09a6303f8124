//! The logical structure of a document, built while it is laid out: headings, paragraphs,
//! tables with their header cells, figures with their text alternative, in reading order.
//! Each piece of page content belongs to one element (a marked-content identifier on its
//! page) or is an artifact (rules, footers, headers repeated on later pages). `write` adds
//! the structure tree to the saved document (PDF/UA-1, ISO 14289-1).

use lopdf::{Dictionary, Document, Object, ObjectId, StringFormat};

/// One structure element.
#[derive(Debug)]
struct Elem {
    role: &'static str,
    parent: usize,
    kids: Vec<Kid>,
    /// A figure's text alternative
    alt: Option<String>,
    /// A header cell's scope (`Column`, `Row`)
    scope: Option<&'static str>,
}

#[derive(Debug, Clone, Copy)]
enum Kid {
    Elem(usize),
    Content { page: usize, mcid: i64 },
}

/// The structure being built; element 0 is the document.
#[derive(Debug)]
pub struct Tags {
    elems: Vec<Elem>,
    open: Vec<usize>,
    /// The next marked-content identifier of each page
    next: Vec<i64>,
}

impl Default for Tags {
    fn default() -> Self {
        Self {
            elems: vec![Elem {
                role: "Document",
                parent: 0,
                kids: Vec::new(),
                alt: None,
                scope: None,
            }],
            open: vec![0],
            next: vec![0],
        }
    }
}

impl Tags {
    /// Opens an element inside the current one.
    pub fn open(&mut self, role: &'static str) {
        let parent = self.current();
        self.elems.push(Elem {
            role,
            parent,
            kids: Vec::new(),
            alt: None,
            scope: None,
        });
        let id = self.elems.len() - 1;
        self.elems[parent].kids.push(Kid::Elem(id));
        self.open.push(id);
    }

    /// Opens a figure with its text alternative.
    pub fn open_figure(&mut self, alt: &str) {
        self.open("Figure");
        let id = self.current();
        self.elems[id].alt = Some(alt.to_owned());
    }

    /// Opens a header cell of a column.
    pub fn open_header_cell(&mut self) {
        self.open("TH");
        let id = self.current();
        self.elems[id].scope = Some("Column");
    }

    pub fn close(&mut self) {
        if self.open.len() > 1 {
            self.open.pop();
        }
    }

    fn current(&self) -> usize {
        *self.open.last().unwrap_or(&0)
    }

    /// The role of the element content now belongs to.
    pub fn role(&self) -> &'static str {
        self.elems[self.current()].role
    }

    /// Whether the content now drawn belongs to a figure (drawings are then its content, not
    /// artifacts).
    pub fn in_figure(&self) -> bool {
        self.open.iter().any(|&id| self.elems[id].role == "Figure")
    }

    /// A new page's identifiers start at zero.
    pub fn new_page(&mut self) {
        self.next.push(0);
    }

    /// A marked-content identifier on `page` for the current element's next piece.
    pub fn content(&mut self, page: usize) -> i64 {
        while self.next.len() <= page {
            self.next.push(0);
        }
        let mcid = self.next[page];
        self.next[page] += 1;
        let id = self.current();
        self.elems[id].kids.push(Kid::Content { page, mcid });
        mcid
    }

    /// Adds the structure tree to `doc`, whose pages are in the order laid out: the
    /// elements, the parent tree that maps each page's content back to them, and the marks
    /// readers look for (`MarkInfo`, each page's `StructParents` and tab order).
    pub fn write(&self, doc: &mut Document) {
        let pages: Vec<ObjectId> = doc.get_pages().into_values().collect();
        let ids: Vec<ObjectId> = self.elems.iter().map(|_| doc.new_object_id()).collect();
        let root_id = doc.new_object_id();
        let mut by_page: Vec<Vec<(i64, ObjectId)>> = vec![Vec::new(); pages.len()];
        for (i, elem) in self.elems.iter().enumerate() {
            // The element's page is that of its first content: content there is named by its
            // identifier alone, content on other pages by a reference naming its page.
            let home = elem.kids.iter().find_map(|kid| match *kid {
                Kid::Content { page, .. } => Some(page),
                Kid::Elem(_) => None,
            });
            let mut kids = Vec::new();
            for kid in &elem.kids {
                match *kid {
                    Kid::Elem(child) => kids.push(Object::Reference(ids[child])),
                    Kid::Content { page, mcid } => {
                        let Some(&page_id) = pages.get(page) else {
                            continue;
                        };
                        by_page[page].push((mcid, ids[i]));
                        if Some(page) == home {
                            kids.push(Object::Integer(mcid));
                        } else {
                            kids.push(Object::Dictionary(Dictionary::from_iter(vec![
                                ("Type", Object::Name(b"MCR".to_vec())),
                                ("Pg", Object::Reference(page_id)),
                                ("MCID", Object::Integer(mcid)),
                            ])));
                        }
                    }
                }
            }
            let parent = if i == 0 { root_id } else { ids[elem.parent] };
            let mut dict = Dictionary::from_iter(vec![
                ("Type", Object::Name(b"StructElem".to_vec())),
                ("S", Object::Name(elem.role.as_bytes().to_vec())),
                ("P", Object::Reference(parent)),
                ("K", Object::Array(kids)),
            ]);
            if let Some(&page_id) = home.and_then(|page| pages.get(page)) {
                dict.set("Pg", Object::Reference(page_id));
            }
            if let Some(alt) = &elem.alt {
                dict.set("Alt", text_string(alt));
            }
            if let Some(scope) = elem.scope {
                dict.set(
                    "A",
                    Object::Dictionary(Dictionary::from_iter(vec![
                        ("O", Object::Name(b"Table".to_vec())),
                        ("Scope", Object::Name(scope.as_bytes().to_vec())),
                    ])),
                );
            }
            doc.objects.insert(ids[i], Object::Dictionary(dict));
        }
        let mut nums = Vec::new();
        for (page, mut contents) in by_page.into_iter().enumerate() {
            contents.sort_by_key(|(mcid, _)| *mcid);
            nums.push(Object::Integer(i64::try_from(page).unwrap_or(0)));
            nums.push(Object::Array(
                contents
                    .into_iter()
                    .map(|(_, id)| Object::Reference(id))
                    .collect(),
            ));
        }
        let parent_tree =
            doc.add_object(Dictionary::from_iter(vec![("Nums", Object::Array(nums))]));
        doc.objects.insert(
            root_id,
            Object::Dictionary(Dictionary::from_iter(vec![
                ("Type", Object::Name(b"StructTreeRoot".to_vec())),
                ("K", Object::Array(vec![Object::Reference(ids[0])])),
                ("ParentTree", Object::Reference(parent_tree)),
                (
                    "ParentTreeNextKey",
                    Object::Integer(i64::try_from(pages.len()).unwrap_or(0)),
                ),
            ])),
        );
        for (i, page_id) in pages.iter().enumerate() {
            if let Ok(Object::Dictionary(page)) = doc.get_object_mut(*page_id) {
                page.set(
                    "StructParents",
                    Object::Integer(i64::try_from(i).unwrap_or(0)),
                );
                page.set("Tabs", Object::Name(b"S".to_vec()));
            }
        }
        if let Ok(catalog) = doc.catalog_mut() {
            catalog.set("StructTreeRoot", Object::Reference(root_id));
            catalog.set(
                "MarkInfo",
                Object::Dictionary(Dictionary::from_iter(vec![(
                    "Marked",
                    Object::Boolean(true),
                )])),
            );
        }
    }
}

/// A text string as PDF wants it: plain bytes for ASCII, else UTF-16 with its byte order
/// mark.
pub fn text_string(text: &str) -> Object {
    if text.is_ascii() {
        return Object::String(text.as_bytes().to_vec(), StringFormat::Literal);
    }
    let mut bytes = vec![0xFE, 0xFF];
    for unit in text.encode_utf16() {
        bytes.extend(unit.to_be_bytes());
    }
    Object::String(bytes, StringFormat::Hexadecimal)
}
