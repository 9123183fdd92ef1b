//! A password handed to the loader leaves no copy in the heap blocks the loader frees: every
//! block freed while a store loads is scanned for the password (as UTF-8 and as the UTF-16BE
//! that JKS, JCEKS and PKCS#12 derive keys from). Blocks wiped before they are freed pass. This
//! is as far as Rust allows: stack copies and what the allocator keeps are not seen. Its own
//! binary, one test: the allocator is process-wide.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use cassandra_tls::Password;
use cassandra_tls::keystore::KeyStore;

const PW_TEXT: &str = "Xq7-residue-Kp2";
const PW: &[u8; 15] = b"Xq7-residue-Kp2";
const BMP: [u8; 30] = {
    let mut out = [0u8; 30];
    let mut i = 0;
    while i < 15 {
        out[2 * i + 1] = PW[i];
        i += 1;
    }
    out
};

static ARMED: AtomicBool = AtomicBool::new(false);
static HITS: AtomicUsize = AtomicUsize::new(0);

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.len() >= needle.len() && hay.windows(needle.len()).any(|w| w == needle)
}

struct Scanning;

// SAFETY: every call is passed to the system allocator unchanged; a block about to be freed is
// read (it is still allocated and `layout.size()` bytes long) before it is.
unsafe impl GlobalAlloc for Scanning {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ARMED.load(Ordering::Relaxed) {
            let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
            if contains(block, PW) || contains(block, &BMP) {
                HITS.fetch_add(1, Ordering::Relaxed);
            }
        }
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Through alloc and dealloc, so that the old block is scanned too.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            unsafe {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
        }
        new
    }
}

#[global_allocator]
static GLOBAL: Scanning = Scanning;

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Loads `bytes` with the password while freed blocks are scanned; returns the hits.
fn hits_while_loading(bytes: &[u8]) -> usize {
    HITS.store(0, Ordering::SeqCst);
    ARMED.store(true, Ordering::SeqCst);
    let loaded = KeyStore::loader()
        .store_password(Password::new(PW_TEXT))
        .load(bytes);
    let ok = loaded.is_ok();
    drop(loaded);
    ARMED.store(false, Ordering::SeqCst);
    assert!(ok, "the store loads");
    HITS.load(Ordering::SeqCst)
}

#[test]
fn passwords_do_not_survive_in_freed_loader_buffers() {
    // The detector itself: an unwiped copy is seen.
    HITS.store(0, Ordering::SeqCst);
    ARMED.store(true, Ordering::SeqCst);
    drop(std::hint::black_box(PW.to_vec()));
    drop(std::hint::black_box(BMP.to_vec()));
    ARMED.store(false, Ordering::SeqCst);
    assert_eq!(
        HITS.load(Ordering::SeqCst),
        2,
        "the scan sees unwiped copies"
    );

    if !common::tools_present(&["keytool", "openssl"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // The same key in every format, under the password (keytool and OpenSSL write them).
    run(Command::new("openssl")
        .current_dir(d)
        .args(["pkcs12", "-export", "-in"])
        .arg(common::store_path("node1.chain.pem"))
        .arg("-inkey")
        .arg(common::store_path("node1.key.pem"))
        .args(["-name", "node1", "-out", "openssl.p12"])
        .args(["-passout", &format!("pass:{PW_TEXT}")]));
    for (kind, file) in [
        ("JKS", "node.jks"),
        ("JCEKS", "node.jceks"),
        ("PKCS12", "node.p12"),
    ] {
        run(Command::new("keytool")
            .current_dir(d)
            .args([
                "-importkeystore",
                "-noprompt",
                "-srckeystore",
                "openssl.p12",
            ])
            .args(["-srcstoretype", "PKCS12", "-srcstorepass", PW_TEXT])
            .args(["-destkeystore", file, "-deststoretype", kind])
            .args(["-deststorepass", PW_TEXT, "-destkeypass", PW_TEXT]));
    }
    run(Command::new("openssl")
        .current_dir(d)
        .args(["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in"])
        .arg(common::store_path("node1.key.pem"))
        .args(["-out", "key.pem", "-passout", &format!("pass:{PW_TEXT}")]));
    let mut pem = std::fs::read(d.join("key.pem")).unwrap();
    pem.extend(std::fs::read(common::store_path("node1.chain.pem")).unwrap());
    std::fs::write(d.join("node.pem"), pem).unwrap();

    for file in [
        "node.jks",
        "node.jceks",
        "node.p12",
        "openssl.p12",
        "node.pem",
    ] {
        let bytes = std::fs::read(d.join(file)).unwrap();
        assert_eq!(
            hits_while_loading(&bytes),
            0,
            "{file}: a freed buffer still held the password"
        );
    }
}
