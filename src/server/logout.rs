//! `logout_token` validation, OpenID Connect Back-Channel Logout 1.0 §2.6 (with the errata's `exp`).

use serde_json::{Map, Value};

use super::{Alg, Jwks, LogoutError};
use crate::core::pkce::b64;

/// The member of `events` that marks a logout token (§2.4).
pub const BACKCHANNEL_LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// What a valid `logout_token` must match: built once per OP + client with [`Expect::new`], then
/// adjusted through its public fields.
///
/// ```
/// # use oidc_session_monitor::server::{Alg, Expect};
/// let mut expect = Expect::new("https://op.example", "my-client");
/// expect.require_typ = true;            // only `typ: logout+jwt`
/// expect.algorithms.push(Alg::HS256);   // a shared secret too (off by default)
/// ```
#[non_exhaustive]
#[derive(Debug, Clone)]
pub struct Expect {
    /// The OP's issuer identifier, compared exactly with `iss`.
    pub issuer: String,
    /// This RP's `client_id`, which `aud` must contain (and `azp`, if present, must equal).
    pub client_id: String,
    /// Algorithms accepted in the header. Default: [`Alg::ASYMMETRIC`]. `none` and `HS*` only when
    /// added here explicitly.
    pub algorithms: Vec<Alg>,
    /// Allowed clock difference with the OP, in seconds, for `iat` in the future and for `exp`.
    /// Default 60.
    pub leeway_secs: u64,
    /// Oldest acceptable `iat`, in seconds before now. Default 300. Also bounds how long a `jti`
    /// must be remembered for replay protection.
    pub max_age_secs: u64,
    /// Reject tokens without `exp` (the errata makes `exp` required; older OPs omit it).
    /// Default `false`.
    pub require_exp: bool,
    /// Reject tokens whose header lacks `typ: logout+jwt`. Default `false` (`typ` absent or `JWT`
    /// also accepted; any other `typ` is always rejected).
    pub require_typ: bool,
    /// Longest token accepted, in bytes. Default 16 384.
    pub max_token_bytes: usize,
}

impl Expect {
    /// The defaults described on each field, for this issuer and client.
    pub fn new(issuer: impl Into<String>, client_id: impl Into<String>) -> Expect {
        Expect {
            issuer: issuer.into(),
            client_id: client_id.into(),
            algorithms: Alg::ASYMMETRIC.to_vec(),
            leeway_secs: 60,
            max_age_secs: 300,
            require_exp: false,
            require_typ: false,
            max_token_bytes: 16 * 1024,
        }
    }
}

/// The claims of a validated `logout_token`: whom to log out.
///
/// At least one of [`sub`](LogoutToken::sub) and [`sid`](LogoutToken::sid) is present. With
/// `sid`, end that OP session's RP sessions; with only `sub`, end all of that user's sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutToken {
    /// `iss`: the issuer (equal to [`Expect::issuer`]).
    pub issuer: String,
    /// `sub`: the user, when the OP sent it.
    pub sub: Option<String>,
    /// `sid`: the OP session, when the OP sent it.
    pub sid: Option<String>,
    /// `jti`: the token's unique identifier (for replay protection).
    pub jti: String,
    /// `iat`, in seconds since the epoch.
    pub issued_at: u64,
    /// `exp`, in seconds since the epoch, when present.
    pub expires_at: Option<u64>,
    /// The algorithm the signature was verified with.
    pub alg: Alg,
    /// The time (seconds since the epoch) after which this token would be refused anyway
    /// (too old or expired): how long its `jti` must be remembered.
    pub usable_until: u64,
}

/// Validates a Back-Channel Logout `logout_token` (§2.6): signature against `jwks`, then the
/// claims against `expect`, at time `now` (seconds since the epoch).
///
/// Pure: no I/O, no clock, no global state, no panic on any input. Replay protection (a `jti` seen
/// before) needs memory, so it is a separate step: [`ReplayCache`](super::ReplayCache). After
/// [`LogoutError::UnknownKey`], fetching the JWKS again may help (rate-limit it with
/// [`KeyRefresh`](super::KeyRefresh)).
///
/// Checked, in this order: size; compact JWS form (an encrypted token is refused); header: `alg`
/// in [`Expect::algorithms`], no `crit`, `typ` (`logout+jwt`, `application/logout+jwt`, `JWT` or
/// absent; only the first two when [`Expect::require_typ`]); key by `kid`; signature; then `iss`
/// exact, `aud` contains the client, `azp` (if any) is the client, `iat` present and within
/// leeway/max age, `exp` (if any, or if required) not passed, `jti` present, `events` an object
/// whose member [`BACKCHANNEL_LOGOUT_EVENT`] is an object, `sub` and/or `sid`, no `nonce`.
///
/// # Errors
/// The first failed check, as a [`LogoutError`]; it never contains token data.
pub fn validate(
    token: impl AsRef<[u8]>,
    jwks: &Jwks,
    expect: &Expect,
    now: u64,
) -> Result<LogoutToken, LogoutError> {
    let (alg, payload) = verify_compact(
        token.as_ref(),
        jwks,
        &expect.algorithms,
        expect.max_token_bytes,
        |header| check_typ(header, expect.require_typ),
    )?;
    let claims: Map<String, Value> = match serde_json::from_slice(&payload) {
        Ok(Value::Object(map)) => map,
        _ => return Err(LogoutError::BadClaims),
    };
    check_claims(&claims, alg, expect, now)
}

/// Verifies the signature of any compact JWS (an ID Token, for instance) against `jwks` and
/// returns its payload bytes; the same header and key rules as [`validate`], without its `typ`
/// rule or any claim check. For an RP server that receives an ID Token from its page.
///
/// # Errors
/// The first failed check ([`LogoutError::TooLarge`] above 16 384 bytes, then as in
/// [`validate`] up to [`LogoutError::BadSignature`]).
pub fn verify_jws(
    token: impl AsRef<[u8]>,
    jwks: &Jwks,
    algorithms: &[Alg],
) -> Result<Vec<u8>, LogoutError> {
    verify_compact(token.as_ref(), jwks, algorithms, 16 * 1024, |_| Ok(())).map(|(_, p)| p)
}

/// The `typ` rule of §2.4: `logout+jwt` recommended; `JWT` or absent tolerated unless required.
fn check_typ(header: &Map<String, Value>, required: bool) -> Result<(), LogoutError> {
    match header.get("typ") {
        None if required => Err(LogoutError::MissingType),
        None => Ok(()),
        Some(Value::String(typ)) => {
            // RFC 7515 §4.1.9: the "application/" prefix may be omitted; media types are
            // case-insensitive.
            let typ = typ.to_ascii_lowercase();
            match typ.strip_prefix("application/").unwrap_or(&typ) {
                "logout+jwt" => Ok(()),
                "jwt" if required => Err(LogoutError::MissingType),
                "jwt" => Ok(()),
                _ => Err(LogoutError::WrongType),
            }
        }
        Some(_) => Err(LogoutError::BadHeader),
    }
}

/// Compact JWS form, header (`alg`, `crit`, `kid`, then `check_header`), signature over the exact
/// bytes received. Returns the algorithm and the payload bytes.
fn verify_compact(
    token: &[u8],
    jwks: &Jwks,
    algorithms: &[Alg],
    max_bytes: usize,
    check_header: impl FnOnce(&Map<String, Value>) -> Result<(), LogoutError>,
) -> Result<(Alg, Vec<u8>), LogoutError> {
    if token.len() > max_bytes {
        return Err(LogoutError::TooLarge);
    }
    let token = core::str::from_utf8(token).map_err(|_| LogoutError::Malformed)?;
    let parts: Vec<&str> = token.split('.').collect();
    match parts.len() {
        3 => {}
        5 => return Err(LogoutError::Encrypted),
        _ => return Err(LogoutError::Malformed),
    }
    let (header_b64, payload_b64, signature_b64) = (parts[0], parts[1], parts[2]);
    if header_b64.is_empty() || payload_b64.is_empty() {
        return Err(LogoutError::Malformed);
    }
    let header = b64::decode(header_b64).ok_or(LogoutError::Malformed)?;
    let payload = b64::decode(payload_b64).ok_or(LogoutError::Malformed)?;
    let signature = b64::decode(signature_b64).ok_or(LogoutError::Malformed)?;

    let header: Map<String, Value> = match serde_json::from_slice(&header) {
        Ok(Value::Object(map)) => map,
        _ => return Err(LogoutError::BadHeader),
    };
    let alg = match header.get("alg") {
        Some(Value::String(name)) => {
            Alg::from_name(name).ok_or(LogoutError::AlgorithmNotAllowed)?
        }
        _ => return Err(LogoutError::BadHeader),
    };
    if !algorithms.contains(&alg) {
        return Err(LogoutError::AlgorithmNotAllowed);
    }
    if header.contains_key("crit") {
        return Err(LogoutError::UnsupportedCritical);
    }
    check_header(&header)?;
    let kid = match header.get("kid") {
        None => None,
        Some(Value::String(kid)) => Some(kid.as_str()),
        Some(_) => return Err(LogoutError::BadHeader),
    };

    let signing_input = &token.as_bytes()[..header_b64.len() + 1 + payload_b64.len()];
    if alg == Alg::None {
        // Only reachable when `none` was explicitly allowed; then the signature must be empty.
        if !signature.is_empty() {
            return Err(LogoutError::BadSignature);
        }
    } else {
        if signature.is_empty() {
            return Err(LogoutError::BadSignature);
        }
        jwks.verify(alg, kid, signing_input, &signature)?;
    }
    Ok((alg, payload))
}

fn check_claims(
    claims: &Map<String, Value>,
    alg: Alg,
    expect: &Expect,
    now: u64,
) -> Result<LogoutToken, LogoutError> {
    let issuer = match claims.get("iss") {
        Some(Value::String(iss)) if *iss == expect.issuer => iss.clone(),
        _ => return Err(LogoutError::WrongIssuer),
    };
    let audience_ok = match claims.get("aud") {
        Some(Value::String(aud)) => *aud == expect.client_id,
        Some(Value::Array(list)) => {
            if list.iter().any(|a| !a.is_string()) {
                return Err(LogoutError::BadClaims);
            }
            list.iter().any(|a| a.as_str() == Some(&expect.client_id))
        }
        _ => false,
    };
    if !audience_ok {
        return Err(LogoutError::WrongAudience);
    }
    match claims.get("azp") {
        None => {}
        Some(Value::String(azp)) if *azp == expect.client_id => {}
        Some(_) => return Err(LogoutError::WrongAuthorizedParty),
    }

    let issued_at = claims
        .get("iat")
        .and_then(numeric_date)
        .ok_or(LogoutError::MissingIssuedAt)?;
    if issued_at > now.saturating_add(expect.leeway_secs) {
        return Err(LogoutError::IssuedInFuture);
    }
    if issued_at < now.saturating_sub(expect.max_age_secs) {
        return Err(LogoutError::TooOld);
    }
    let expires_at = match claims.get("exp") {
        None if expect.require_exp => return Err(LogoutError::MissingExpiry),
        None => None,
        Some(v) => {
            let exp = numeric_date(v).ok_or(LogoutError::Expired)?;
            // RFC 7519 §4.1.4: the token must not be accepted on or after exp.
            if exp.saturating_add(expect.leeway_secs) <= now {
                return Err(LogoutError::Expired);
            }
            Some(exp)
        }
    };

    let jti = match claims.get("jti") {
        Some(Value::String(jti)) if !jti.is_empty() => jti.clone(),
        _ => return Err(LogoutError::MissingJti),
    };
    let events = match claims.get("events") {
        Some(Value::Object(events)) => events,
        _ => return Err(LogoutError::MissingEvents),
    };
    if !events
        .get(BACKCHANNEL_LOGOUT_EVENT)
        .is_some_and(Value::is_object)
    {
        return Err(LogoutError::WrongEvent);
    }
    let optional_text = |name: &str| -> Result<Option<String>, LogoutError> {
        match claims.get(name) {
            None => Ok(None),
            Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
            Some(_) => Err(LogoutError::MissingSubjectAndSession),
        }
    };
    let sub = optional_text("sub")?;
    let sid = optional_text("sid")?;
    if sub.is_none() && sid.is_none() {
        return Err(LogoutError::MissingSubjectAndSession);
    }
    if claims.contains_key("nonce") {
        return Err(LogoutError::NoncePresent);
    }

    let mut usable_until = issued_at.saturating_add(expect.max_age_secs);
    if let Some(exp) = expires_at {
        usable_until = usable_until.min(exp.saturating_add(expect.leeway_secs));
    }
    Ok(LogoutToken {
        issuer,
        sub,
        sid,
        jti,
        issued_at,
        expires_at,
        alg,
        usable_until,
    })
}

/// A JWT NumericDate (RFC 7519 §2): a non-negative JSON number of seconds; fractions are dropped.
fn numeric_date(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64().or_else(|| {
            let f = n.as_f64()?;
            // `as` saturates; the range check keeps absurd values out.
            (f.is_finite() && (0.0..1.0e15).contains(&f)).then_some(f as u64)
        }),
        _ => None,
    }
}
