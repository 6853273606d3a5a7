//! How many back-channel `logout_token`s per second `server::validate` checks on this machine, per
//! algorithm (one core; signature and every claim check; replay cache excluded).
//!
//!     cargo bench --features server --bench logout_token
//!
//! A report, not a test: it asserts only that every token it times is valid.

use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use oidc_session_monitor::server::{validate, Alg, Expect, Jwks};
use rand::rngs::StdRng;
use rand::SeedableRng;
use rsa::signature::{RandomizedSigner, SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use rsa::{pkcs1v15, pss, RsaPrivateKey};
use sha2::Sha256;

fn b64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..=c.len() {
            out.push(char::from(A[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

fn main() {
    let mut rng = StdRng::seed_from_u64(1);
    let rsa = RsaPrivateKey::new(&mut rng, 2048).expect("rsa key");
    let ec = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).expect("p256 key");
    let ed = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]);
    let point = ec.verifying_key().to_encoded_point(false);
    let jwks = format!(
        r#"{{"keys":[{{"kty":"RSA","kid":"rsa","n":"{}","e":"{}"}},{{"kty":"EC","crv":"P-256","kid":"ec","x":"{}","y":"{}"}},{{"kty":"OKP","crv":"Ed25519","kid":"ed","x":"{}"}}]}}"#,
        b64(&rsa.n().to_bytes_be()),
        b64(&rsa.e().to_bytes_be()),
        b64(point.x().expect("x")),
        b64(point.y().expect("y")),
        b64(ed.verifying_key().as_bytes()),
    );
    let jwks = Jwks::from_json(jwks.as_bytes()).expect("jwks");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let expect = Expect::new("https://op.example", "rp-client");

    println!(
        "logout_token validation, one thread ({} logical CPUs here)",
        num_cpus()
    );
    println!("| alg | tokens/s | µs/token |");
    println!("|---|---:|---:|");
    for (alg, kid) in [
        (Alg::RS256, "rsa"),
        (Alg::PS256, "rsa"),
        (Alg::ES256, "ec"),
        (Alg::EdDSA, "ed"),
    ] {
        let header = format!(
            r#"{{"alg":"{}","kid":"{kid}","typ":"logout+jwt"}}"#,
            alg.name()
        );
        let claims = format!(
            r#"{{"iss":"https://op.example","aud":"rp-client","iat":{now},"exp":{},"jti":"bench","sid":"s","sub":"alice","events":{{"http://schemas.openid.net/event/backchannel-logout":{{}}}}}}"#,
            now + 120
        );
        let input = format!("{}.{}", b64(header.as_bytes()), b64(claims.as_bytes()));
        let sig = match alg {
            Alg::RS256 => pkcs1v15::SigningKey::<Sha256>::new(rsa.clone())
                .sign(input.as_bytes())
                .to_vec(),
            Alg::PS256 => pss::SigningKey::<Sha256>::new(rsa.clone())
                .sign_with_rng(&mut rng, input.as_bytes())
                .to_vec(),
            Alg::ES256 => {
                let s: p256::ecdsa::Signature = ec.sign(input.as_bytes());
                s.to_bytes().to_vec()
            }
            _ => ed25519_dalek::Signer::sign(&ed, input.as_bytes())
                .to_bytes()
                .to_vec(),
        };
        let token = format!("{input}.{}", b64(&sig));
        validate(&token, &jwks, &expect, now).expect("the benchmark token must be valid");
        // Warm up, then count for about a second.
        let mut n = 0u64;
        let start = Instant::now();
        while start.elapsed() < Duration::from_millis(1000) {
            for _ in 0..16 {
                black_box(validate(black_box(&token), &jwks, &expect, now).is_ok());
            }
            n += 16;
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "| {} | {:.0} | {:.1} |",
            alg.name(),
            n as f64 / secs,
            secs * 1e6 / n as f64
        );
    }
}

fn num_cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
