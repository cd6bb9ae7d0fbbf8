//! A 64-bit summary of the services an `Action` list can name. A request skips the
//! statements of other services with one AND instead of matching each pattern: most
//! statements of a real policy name services the request is not about.
//!
//! The mask only ever says "cannot match": a pattern whose service part holds a
//! wildcard, a pattern without a service part and a `NotAction` list may name any
//! service, and two services may share a bit. What it lets through is still matched
//! pattern by pattern.

use crate::policy::pattern::Pattern;

/// Which services (hashed into 64 bits) a list of action patterns can match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceMask(u64);

impl ServiceMask {
    /// Every service: nothing is skipped.
    pub const ANY: ServiceMask = ServiceMask(u64::MAX);

    /// The mask of an `Action` list (`negated`: a `NotAction` list, which may match
    /// any service).
    pub fn of_patterns(negated: bool, patterns: &[Pattern]) -> ServiceMask {
        if negated {
            return ServiceMask::ANY;
        }
        ServiceMask(
            patterns
                .iter()
                .fold(0, |bits, p| bits | pattern_bits(p.as_str())),
        )
    }

    /// The mask of a request's action: its service's bit, or every bit when the action
    /// has no `service:` part.
    pub fn of_action(action: &str) -> ServiceMask {
        match action.split_once(':') {
            Some((service, _)) => ServiceMask(bit(service)),
            None => ServiceMask::ANY,
        }
    }

    /// False when no action of `request`'s service can match the list.
    pub fn may_match(self, request: ServiceMask) -> bool {
        self.0 & request.0 != 0
    }
}

/// The bits a pattern's service part allows: its service's bit when the part before
/// the first `:` is literal (the action matched must then start with that service and
/// a colon), every bit otherwise.
fn pattern_bits(pattern: &str) -> u64 {
    match pattern.split_once(':') {
        Some((service, _)) if !service.contains(['*', '?']) => bit(service),
        _ => u64::MAX,
    }
}

/// One bit per service name, case-insensitively: FNV-1a of the lowercased bytes, then
/// a 64-bit finaliser so that short names (`s3`, `sts`, `iam`) spread over the bits.
fn bit(service: &str) -> u64 {
    let mut h = service.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(0x0100_0000_01b3)
    });
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    1 << (h % 64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::pattern::CaseMode;

    fn mask(negated: bool, patterns: &[&str]) -> ServiceMask {
        let compiled: Vec<Pattern> = patterns
            .iter()
            .map(|p| Pattern::new(p, CaseMode::Insensitive))
            .collect();
        ServiceMask::of_patterns(negated, &compiled)
    }

    #[test]
    fn another_service_is_skipped_and_the_same_one_is_not() {
        let m = mask(false, &["s3:GetObject", "logs:*"]);
        assert!(!m.may_match(ServiceMask::of_action("sts:AssumeRole")));
        assert!(m.may_match(ServiceMask::of_action("S3:PutObject")));
        assert!(m.may_match(ServiceMask::of_action("LOGS:PutLogEvents")));
    }

    #[test]
    fn wildcards_in_the_service_and_not_action_let_everything_through() {
        for m in [
            mask(false, &["*"]),
            mask(false, &["s*:Get*"]),
            mask(false, &["?3:GetObject"]),
            mask(false, &["iam"]),
            mask(true, &["s3:*"]),
        ] {
            assert!(m.may_match(ServiceMask::of_action("sts:AssumeRole")));
        }
    }

    #[test]
    fn an_action_without_a_service_part_meets_every_nonempty_list() {
        assert!(mask(false, &["s3:GetObject"]).may_match(ServiceMask::of_action("weird")));
    }

    proptest::proptest! {
        /// The mask never skips a statement whose list matches: whatever the patterns
        /// (wildcards anywhere, no colon, several colons, any case) and the action.
        #[test]
        fn the_mask_never_hides_a_match(
            negated in proptest::bool::ANY,
            patterns in proptest::collection::vec("[abS3:*?]{0,6}", 0..4),
            action in "[aBs3:]{0,6}",
        ) {
            let compiled: Vec<Pattern> = patterns
                .iter()
                .map(|p| Pattern::new(p, CaseMode::Insensitive))
                .collect();
            let matches = compiled.iter().any(|p| p.matches(&action)) != negated;
            let m = ServiceMask::of_patterns(negated, &compiled);
            proptest::prop_assert!(!matches || m.may_match(ServiceMask::of_action(&action)));
        }
    }
}
