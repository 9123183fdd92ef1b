//! `explain` on the committed healthy yaml, per Cassandra version and provider: what one
//! start-up verdict costs (the stores are loaded, as Cassandra loads them).

use cassandra_tls::explain::{Provider, explain};
use cassandra_tls::options::CassandraVersion;
use criterion::{Criterion, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("explain");
    for version in [
        CassandraVersion::V4_0,
        CassandraVersion::V4_1,
        CassandraVersion::V5_0,
    ] {
        for provider in [Provider::OpenSsl, Provider::Jdk] {
            g.bench_function(
                format!("cassandra.yaml/{version}/{}", provider.as_str()),
                |b| {
                    b.iter(|| {
                        let e = explain("fixtures/conf/cassandra.yaml", version, provider);
                        assert!(e.accepted);
                        e
                    })
                },
            );
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
