//! Times nalgebra against the faer-backed kernels on the W4–W7 sizes, single thread:
//! `cargo run --release -p mml-kernel --example compare`. Prints the median of 5 runs.

use std::time::Instant;

use mml_kernel::Matrix;

/// A fixed-seed generator (uniform in [0, 1)), so both libraries see the same matrices.
fn random(r: usize, c: usize, seed: u64) -> Matrix {
    let mut s = seed;
    Matrix::from_fn(r, c, |_, _| {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (s >> 11) as f64 / (1u64 << 53) as f64
    })
}

fn median(mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[2]
}

fn main() {
    let a = random(1000, 1000, 1);
    let b = random(1000, 1000, 2);
    let v = random(1000, 1, 3);
    println!("| kernel | nalgebra 0.35 | faer 0.24 (mml-kernel) |");
    println!("|---|---|---|");
    let na = median(|| {
        std::hint::black_box(&a * &b);
    });
    let fa = median(|| {
        std::hint::black_box(mml_kernel::matmul(&a, &b));
    });
    println!("| W4 matmul 1000² | {na:.4} | {fa:.4} |");
    for n in [4, 16, 64, 128, 256] {
        let (p, q) = (random(n, n, 7), random(n, n, 8));
        let reps = 200_000 / (n * n) + 1;
        let na = median(|| {
            for _ in 0..reps {
                std::hint::black_box(&p * &q);
            }
        });
        let fa = median(|| {
            for _ in 0..reps {
                std::hint::black_box(mml_kernel::matmul(&p, &q));
            }
        });
        println!("| matmul {n}² (×{reps}) | {na:.4} | {fa:.4} |");
    }
    let na = median(|| {
        std::hint::black_box(a.clone().lu().solve(&v));
    });
    let fa = median(|| {
        std::hint::black_box(mml_kernel::solve(&a, &v).ok());
    });
    println!("| W5 solve 1000² (with rcond estimate) | {na:.4} | {fa:.4} |");
    let m = random(784, 784, 4);
    let s = (&m + m.transpose()) * 0.5;
    let na = median(|| {
        std::hint::black_box(s.clone().symmetric_eigen());
    });
    let fa = median(|| {
        std::hint::black_box(mml_kernel::eigh(&s));
    });
    println!("| W6 symmetric eigen 784² | {na:.4} | {fa:.4} |");
    let x = random(2000, 300, 5);
    let na = median(|| {
        std::hint::black_box(x.clone().svd(true, true));
    });
    let fa = median(|| {
        std::hint::black_box(mml_kernel::svd(&x, false));
    });
    println!("| W7 thin SVD 2000×300 | {na:.4} | {fa:.4} |");
}
