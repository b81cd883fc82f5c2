//! Every field of every v1 reference vector agrees with `perun-channel`.

use perun_conformance::{check, default_vectors_path, vectors};

#[test]
fn every_field_of_every_reference_vector_agrees() {
    let file = vectors::load(&default_vectors_path()).expect("vector file loads");
    assert_eq!(
        file.count,
        file.vectors.len(),
        "count field matches the vectors"
    );
    assert_eq!(file.vectors.len(), 30);
    let mut fields = 0;
    for v in &file.vectors {
        let report = check::check_vector(v).expect("vector fields are well-formed");
        if let Some(f) = report.failures().next() {
            panic!(
                "{}: {}: {}",
                report.id,
                f.field,
                f.mismatch.as_deref().unwrap_or_default()
            );
        }
        // Every vector has 12 vector-level comparisons and 16 per participant.
        assert_eq!(
            report.checks.len(),
            12 + 16 * v.per_participant.len(),
            "{}",
            report.id
        );
        fields += report.checks.len();
    }
    assert!(fields > 30 * 12);
}

#[test]
fn a_changed_field_is_reported() {
    let mut file = vectors::load(&default_vectors_path()).expect("vector file loads");
    let v = &mut file.vectors[0];
    // Flip one byte of the first participant's state signature.
    let mut sig = v.per_participant[0].state_signature.clone().into_bytes();
    sig[10] = if sig[10] == b'0' { b'1' } else { b'0' };
    v.per_participant[0].state_signature = String::from_utf8(sig).unwrap();
    let report = check::check_vector(v).unwrap();
    let failed: Vec<_> = report.failures().map(|f| f.field.as_str()).collect();
    assert!(
        failed.contains(&"perParticipant[0].stateSignature"),
        "{failed:?}"
    );
}
