//! A Kubernetes Secret volume as the kubelet writes it (its atomic writer), and an OpenSSL PKI
//! to fill it with: CAs and leaves whose expected fingerprints come from OpenSSL.
#![allow(dead_code)]

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;

fn openssl(cmd: &mut Command) -> String {
    let out = cmd.output().expect("openssl runs");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A self-signed P-256 CA in `dir`: `name.key`, `name.crt`.
pub fn ca_named(dir: &Path, name: &str) {
    let mut cmd = Command::new("openssl");
    cmd.args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
        .args(["ec_paramgen_curve:P-256", "-nodes", "-days", "5"])
        .arg("-subj")
        .arg(format!("/CN={name} test CA"))
        .arg("-keyout")
        .arg(dir.join(format!("{name}.key")))
        .arg("-out")
        .arg(dir.join(format!("{name}.crt")))
        .args(["-addext", "basicConstraints=critical,CA:TRUE"])
        .args(["-addext", "keyUsage=critical,keyCertSign"]);
    openssl(&mut cmd);
}

/// The CA `ca` in `dir` (`ca.key`, `ca.crt`).
pub fn ca(dir: &Path) {
    ca_named(dir, "ca");
}

/// A P-256 leaf for 127.0.0.1 signed by the CA `ca` of `dir`: `name.key`, `name.crt`; returns
/// its SHA-256 as OpenSSL prints it.
pub fn leaf_signed(dir: &Path, ca: &str, name: &str) -> String {
    let key = dir.join(format!("{name}.key"));
    let csr = dir.join(format!("{name}.csr"));
    let crt = dir.join(format!("{name}.crt"));
    let ext = dir.join(format!("{name}.ext"));
    std::fs::write(
        &ext,
        "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n",
    )
    .unwrap();
    let mut cmd = Command::new("openssl");
    cmd.args(["req", "-new", "-newkey", "ec", "-pkeyopt"])
        .args(["ec_paramgen_curve:P-256", "-nodes", "-subj"])
        .arg(format!("/CN={name}"))
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&csr);
    openssl(&mut cmd);
    let mut cmd = Command::new("openssl");
    cmd.args(["x509", "-req", "-days", "2", "-set_serial"])
        .arg(format!("0x{:016x}", name_serial(name)))
        .arg("-in")
        .arg(&csr)
        .arg("-CA")
        .arg(dir.join(format!("{ca}.crt")))
        .arg("-CAkey")
        .arg(dir.join(format!("{ca}.key")))
        .arg("-extfile")
        .arg(&ext)
        .arg("-out")
        .arg(&crt);
    openssl(&mut cmd);
    let mut cmd = Command::new("openssl");
    cmd.args(["x509", "-noout", "-fingerprint", "-sha256", "-in"])
        .arg(&crt);
    super::tools::parse_openssl_fingerprints(&openssl(&mut cmd)).remove(0)
}

/// A serial number of the leaf's own (a name's hash), so that leaves of one CA never share one.
fn name_serial(name: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    name.hash(&mut h);
    h.finish() >> 1
}

/// A leaf signed by the CA `ca` of `dir` (see [`leaf_signed`]).
pub fn leaf(dir: &Path, name: &str) -> String {
    leaf_signed(dir, "ca", name)
}

/// A PEM key store as Cassandra's PEM factory reads it: the key, then the chain.
pub fn pem(dir: &Path, name: &str) -> Vec<u8> {
    let mut out = std::fs::read(dir.join(format!("{name}.key"))).unwrap();
    out.extend(std::fs::read(dir.join(format!("{name}.crt"))).unwrap());
    out
}

/// A Secret volume as the kubelet lays it out, updated as its atomic writer does.
pub struct SecretVolume {
    pub dir: PathBuf,
    generation: usize,
}

impl SecretVolume {
    pub fn new(dir: PathBuf) -> Self {
        std::fs::create_dir_all(&dir).unwrap();
        SecretVolume { dir, generation: 0 }
    }

    /// One update: the files into a new `..<timestamp>` directory, `..data_tmp` pointing at it
    /// renamed over `..data`, the visible symlinks made the first time, the old directory
    /// removed.
    pub fn write(&mut self, files: &[(&str, Vec<u8>)]) {
        self.generation += 1;
        let stamp = format!("..2026_12_03_08_00_00.{:09}", self.generation);
        let new = self.dir.join(&stamp);
        std::fs::create_dir(&new).unwrap();
        for (name, bytes) in files {
            std::fs::write(new.join(name), bytes).unwrap();
        }
        let old = std::fs::read_link(self.dir.join("..data")).ok();
        let tmp = self.dir.join("..data_tmp");
        symlink(&stamp, &tmp).unwrap();
        std::fs::rename(&tmp, self.dir.join("..data")).unwrap();
        for (name, _) in files {
            let visible = self.dir.join(name);
            if std::fs::symlink_metadata(&visible).is_err() {
                symlink(Path::new("..data").join(name), &visible).unwrap();
            }
        }
        if let Some(old) = old {
            std::fs::remove_dir_all(self.dir.join(old)).unwrap();
        }
    }

    /// The kubelet's `..data` removed (the Secret deleted, or a volume torn down): the visible
    /// names dangle.
    pub fn empty(&mut self) {
        if let Ok(old) = std::fs::read_link(self.dir.join("..data")) {
            std::fs::remove_file(self.dir.join("..data")).unwrap();
            std::fs::remove_dir_all(self.dir.join(old)).unwrap();
        }
    }
}
