//! What a sign-in costs by design: Argon2id at OWASP's setting (19 MiB, t=2, p=1).
//!
//! cargo bench -p antitrata-web --bench password

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "benchmark set-up")]

use antitrata_web::{hash_password, verify_password};
use criterion::{Criterion, criterion_group, criterion_main};

fn argon2(c: &mut Criterion) {
    let mut group = c.benchmark_group("argon2id");
    group.sample_size(20);
    group.bench_function("hash a new password", |b| {
        b.iter(|| hash_password("lamp-orbit-violet-cactus", &[7; 16]).unwrap())
    });
    let hash = hash_password("lamp-orbit-violet-cactus", &[7; 16]).unwrap();
    group.bench_function("verify at sign-in", |b| {
        b.iter(|| verify_password("lamp-orbit-violet-cactus", &hash))
    });
    group.finish();
}

criterion_group!(benches, argon2);
criterion_main!(benches);
