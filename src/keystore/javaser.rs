//! Just enough of Java's object serialization stream format to read JCEKS secret-key entries.
//!
//! A JCEKS secret-key entry is a serialized `javax.crypto.SealedObject` written straight into
//! the key-store stream with no length prefix, so the only way to find where it ends is to
//! parse it. The grammar is the one of the Java Object Serialization Specification, chapter 6;
//! classes are never instantiated, only their field values are read. Everything is bounded:
//! nesting depth, handle count, and every length against the bytes present.

use std::rc::Rc;

use zeroize::Zeroize;

const MAGIC: [u8; 4] = [0xac, 0xed, 0x00, 0x05];
const TC_NULL: u8 = 0x70;
const TC_REFERENCE: u8 = 0x71;
const TC_CLASSDESC: u8 = 0x72;
const TC_OBJECT: u8 = 0x73;
const TC_STRING: u8 = 0x74;
const TC_ARRAY: u8 = 0x75;
const TC_CLASS: u8 = 0x76;
const TC_BLOCKDATA: u8 = 0x77;
const TC_ENDBLOCKDATA: u8 = 0x78;
const TC_BLOCKDATALONG: u8 = 0x7a;
const TC_LONGSTRING: u8 = 0x7c;
const TC_ENUM: u8 = 0x7e;
const BASE_HANDLE: u32 = 0x7e0000;

const SC_WRITE_METHOD: u8 = 0x01;
const SC_SERIALIZABLE: u8 = 0x02;
const SC_EXTERNALIZABLE: u8 = 0x04;

const MAX_DEPTH: usize = 32;
const MAX_HANDLES: usize = 4096;

/// A value read from the stream. Byte arrays are kept only when the parser was asked to
/// (ciphertext), never for decrypted content.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    Null,
    Primitive,
    Str(Rc<str>),
    Bytes(Rc<Vec<u8>>),
    Array,
    Object(Rc<Object>),
    Enum,
    Class,
}

#[derive(Debug)]
pub(crate) struct Object {
    pub class: String,
    /// Field values of every class in the hierarchy, superclass first.
    pub fields: Vec<(String, Value)>,
}

impl Object {
    pub fn field(&self, name: &str) -> Option<&Value> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }
}

#[derive(Debug)]
struct ClassDesc {
    name: String,
    flags: u8,
    fields: Vec<(u8, String)>,
    super_class: Option<Rc<ClassDesc>>,
}

#[derive(Debug, Clone)]
enum Handle {
    Desc(Rc<ClassDesc>),
    Value(Value),
}

/// Why a stream could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SerError(pub &'static str);

type SResult<T> = Result<T, SerError>;

pub(crate) struct Parser<'a> {
    buf: &'a [u8],
    pos: usize,
    handles: Vec<Handle>,
    keep_bytes: bool,
    depth: usize,
}

impl<'a> Parser<'a> {
    /// Reads one serialized object from the start of `buf`. Returns it and the number of bytes
    /// it used. With `keep_bytes` false, byte arrays are skipped instead of copied.
    pub fn read_object(buf: &'a [u8], keep_bytes: bool) -> SResult<(Value, usize)> {
        let mut p = Parser {
            buf,
            pos: 0,
            handles: Vec::new(),
            keep_bytes,
            depth: 0,
        };
        if p.take(4)? != MAGIC {
            return Err(SerError("not a Java serialization stream"));
        }
        let v = p.content()?;
        Ok((v, p.pos))
    }

    fn take(&mut self, n: usize) -> SResult<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|e| *e <= self.buf.len())
            .ok_or(SerError("serialized object is truncated"))?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn u8(&mut self) -> SResult<u8> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> SResult<u16> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> SResult<u32> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn utf(&mut self) -> SResult<String> {
        let n = self.u16()? as usize;
        let bytes = self.take(n)?;
        modified_utf8(bytes).ok_or(SerError("invalid modified UTF-8"))
    }

    fn new_handle(&mut self, h: Handle) -> SResult<usize> {
        if self.handles.len() >= MAX_HANDLES {
            return Err(SerError("too many objects in serialized stream"));
        }
        self.handles.push(h);
        Ok(self.handles.len() - 1)
    }

    fn reference(&mut self) -> SResult<Handle> {
        let h = self.u32()?;
        let idx = h
            .checked_sub(BASE_HANDLE)
            .ok_or(SerError("invalid back-reference"))? as usize;
        self.handles
            .get(idx)
            .cloned()
            .ok_or(SerError("back-reference to an unknown object"))
    }

    fn content(&mut self) -> SResult<Value> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(SerError("serialized object nested too deeply"));
        }
        let tc = self.u8()?;
        let v = self.content_tagged(tc);
        self.depth -= 1;
        v
    }

    fn content_tagged(&mut self, tc: u8) -> SResult<Value> {
        match tc {
            TC_NULL => Ok(Value::Null),
            TC_REFERENCE => match self.reference()? {
                Handle::Value(v) => Ok(v),
                Handle::Desc(_) => Ok(Value::Class),
            },
            TC_STRING => {
                let s = self.utf()?;
                let v = Value::Str(s.into());
                self.new_handle(Handle::Value(v.clone()))?;
                Ok(v)
            }
            TC_LONGSTRING => {
                let hi = self.u32()? as u64;
                let lo = self.u32()? as u64;
                let n =
                    usize::try_from((hi << 32) | lo).map_err(|_| SerError("string too long"))?;
                let s = modified_utf8(self.take(n)?).ok_or(SerError("invalid modified UTF-8"))?;
                let v = Value::Str(s.into());
                self.new_handle(Handle::Value(v.clone()))?;
                Ok(v)
            }
            TC_CLASS => {
                self.class_desc()?;
                self.new_handle(Handle::Value(Value::Class))?;
                Ok(Value::Class)
            }
            TC_CLASSDESC => {
                self.class_desc_body()?;
                Ok(Value::Class)
            }
            TC_ARRAY => self.array(),
            TC_ENUM => {
                self.class_desc()?;
                let h = self.new_handle(Handle::Value(Value::Enum))?;
                let _constant = self.content()?;
                self.handles[h] = Handle::Value(Value::Enum);
                Ok(Value::Enum)
            }
            TC_OBJECT => self.object(),
            TC_BLOCKDATA => {
                let n = self.u8()? as usize;
                self.take(n)?;
                Ok(Value::Primitive)
            }
            TC_BLOCKDATALONG => {
                let n = self.u32()? as usize;
                self.take(n)?;
                Ok(Value::Primitive)
            }
            _ => Err(SerError("unsupported element in serialized object")),
        }
    }

    /// classDesc: TC_CLASSDESC ..., TC_NULL or TC_REFERENCE.
    fn class_desc(&mut self) -> SResult<Option<Rc<ClassDesc>>> {
        match self.u8()? {
            TC_NULL => Ok(None),
            TC_CLASSDESC => self.class_desc_body().map(Some),
            TC_REFERENCE => match self.reference()? {
                Handle::Desc(d) => Ok(Some(d)),
                Handle::Value(_) => Err(SerError("class reference points to a value")),
            },
            _ => Err(SerError("expected a class description")),
        }
    }

    fn class_desc_body(&mut self) -> SResult<Rc<ClassDesc>> {
        let name = self.utf()?;
        self.take(8)?; // serialVersionUID
        let placeholder = Rc::new(ClassDesc {
            name: String::new(),
            flags: 0,
            fields: Vec::new(),
            super_class: None,
        });
        let h = self.new_handle(Handle::Desc(placeholder))?;
        let flags = self.u8()?;
        let count = self.u16()? as usize;
        if count > self.buf.len() - self.pos {
            return Err(SerError("field count exceeds the data"));
        }
        let mut fields = Vec::with_capacity(count);
        for _ in 0..count {
            let code = self.u8()?;
            let fname = self.utf()?;
            if code == b'L' || code == b'[' {
                match self.content()? {
                    Value::Str(_) => {}
                    _ => return Err(SerError("field type name is not a string")),
                }
            } else if prim_size(code).is_none() {
                return Err(SerError("unknown field type code"));
            }
            fields.push((code, fname));
        }
        self.annotation()?;
        let super_class = self.class_desc()?;
        let desc = Rc::new(ClassDesc {
            name,
            flags,
            fields,
            super_class,
        });
        self.handles[h] = Handle::Desc(desc.clone());
        Ok(desc)
    }

    /// Contents until TC_ENDBLOCKDATA (class and object annotations).
    fn annotation(&mut self) -> SResult<()> {
        loop {
            if self.buf.get(self.pos) == Some(&TC_ENDBLOCKDATA) {
                self.pos += 1;
                return Ok(());
            }
            self.content()?;
        }
    }

    fn array(&mut self) -> SResult<Value> {
        let desc = self
            .class_desc()?
            .ok_or(SerError("array without a class"))?;
        let h = self.new_handle(Handle::Value(Value::Array))?;
        let len = self.u32()? as usize;
        let elem = desc.name.as_bytes().get(1).copied().unwrap_or(0);
        let v = if let Some(size) = prim_size(elem) {
            let n = len.checked_mul(size).ok_or(SerError("array too large"))?;
            let bytes = self.take(n)?;
            if elem == b'B' && self.keep_bytes {
                Value::Bytes(Rc::new(bytes.to_vec()))
            } else {
                Value::Array
            }
        } else {
            if len > self.buf.len() - self.pos {
                return Err(SerError("array length exceeds the data"));
            }
            for _ in 0..len {
                self.content()?;
            }
            Value::Array
        };
        self.handles[h] = Handle::Value(v.clone());
        Ok(v)
    }

    fn object(&mut self) -> SResult<Value> {
        let desc = self
            .class_desc()?
            .ok_or(SerError("object without a class"))?;
        let h = self.new_handle(Handle::Value(Value::Null))?;
        let mut chain = Vec::new();
        let mut d = Some(desc.clone());
        while let Some(c) = d {
            if chain.len() > MAX_DEPTH {
                return Err(SerError("class hierarchy too deep"));
            }
            d = c.super_class.clone();
            chain.push(c);
        }
        let mut fields = Vec::new();
        for class in chain.iter().rev() {
            if class.flags & SC_EXTERNALIZABLE != 0 {
                self.annotation()?;
                continue;
            }
            if class.flags & SC_SERIALIZABLE == 0 {
                continue;
            }
            for (code, name) in &class.fields {
                let v = match prim_size(*code) {
                    Some(size) => {
                        self.take(size)?;
                        Value::Primitive
                    }
                    None => self.content()?,
                };
                fields.push((name.clone(), v));
            }
            if class.flags & SC_WRITE_METHOD != 0 {
                self.annotation()?;
            }
        }
        let v = Value::Object(Rc::new(Object {
            class: desc.name.clone(),
            fields,
        }));
        self.handles[h] = Handle::Value(v.clone());
        Ok(v)
    }
}

fn prim_size(code: u8) -> Option<usize> {
    match code {
        b'B' | b'Z' => Some(1),
        b'C' | b'S' => Some(2),
        b'I' | b'F' => Some(4),
        b'J' | b'D' => Some(8),
        _ => None,
    }
}

/// The sealed parts of a JCEKS secret-key entry.
pub(crate) struct Sealed {
    pub encoded_params: Vec<u8>,
    pub encrypted: Vec<u8>,
    pub seal_alg: String,
}

/// Reads a `SealedObjectForKeyProtector` and returns its sealed parts and the bytes used.
pub(crate) fn read_sealed_key(buf: &[u8]) -> SResult<(Sealed, usize)> {
    let (v, used) = Parser::read_object(buf, true)?;
    let Value::Object(obj) = v else {
        return Err(SerError("secret-key entry is not a sealed object"));
    };
    if !obj.class.ends_with("SealedObjectForKeyProtector")
        && obj.class != "javax.crypto.SealedObject"
    {
        return Err(SerError("secret-key entry is not a sealed object"));
    }
    let bytes = |name| match obj.field(name) {
        Some(Value::Bytes(b)) => Ok(b.as_ref().clone()),
        _ => Err(SerError("sealed object lacks its encrypted content")),
    };
    let seal_alg = match obj.field("sealAlg") {
        Some(Value::Str(s)) => s.to_string(),
        _ => return Err(SerError("sealed object lacks its algorithm")),
    };
    Ok((
        Sealed {
            encoded_params: bytes("encodedParams")?,
            encrypted: bytes("encryptedContent")?,
            seal_alg,
        },
        used,
    ))
}

/// The algorithm of a decrypted, serialized secret key (`SecretKeySpec` or `KeyRep`).
pub(crate) fn secret_key_algorithm(plain: &[u8]) -> Option<String> {
    let (v, _) = Parser::read_object(plain, false).ok()?;
    let Value::Object(obj) = v else { return None };
    match obj.field("algorithm") {
        Some(Value::Str(s)) => Some(s.to_string()),
        _ => None,
    }
}

impl Drop for Sealed {
    fn drop(&mut self) {
        self.encrypted.zeroize();
    }
}

/// Decodes Java's modified UTF-8 (NUL as `C0 80`, supplementary characters as surrogate pairs).
pub(crate) fn modified_utf8(bytes: &[u8]) -> Option<String> {
    // Aliases are nearly always ASCII, where modified UTF-8 is plain ASCII (NUL excepted).
    if bytes.iter().all(|b| *b != 0 && b.is_ascii()) {
        return String::from_utf8(bytes.to_vec()).ok();
    }
    let mut units: Vec<u16> = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let cont = |k: usize| {
            bytes
                .get(i + k)
                .filter(|c| *c & 0xc0 == 0x80)
                .map(|c| (*c & 0x3f) as u16)
        };
        if b & 0x80 == 0 && b != 0 {
            units.push(b as u16);
            i += 1;
        } else if b & 0xe0 == 0xc0 {
            units.push((((b & 0x1f) as u16) << 6) | cont(1)?);
            i += 2;
        } else if b & 0xf0 == 0xe0 {
            units.push((((b & 0x0f) as u16) << 12) | (cont(1)? << 6) | cont(2)?);
            i += 3;
        } else {
            return None;
        }
    }
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .ok()
}
