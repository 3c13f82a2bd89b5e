//! Tests of `taylor`: coefficients of the course's series (eˣ, cos, 1/x, ln x, sin + cos)
//! against their closed forms, the polynomial it returns, the 2-D form against derivatives
//! worked out by hand, and its errors.

use crate::objective::tests::{all_close, close, elems, fails, num, ok};

/// k! for small k.
fn fact(k: usize) -> f64 {
    (1..=k).map(|i| i as f64).product()
}

#[test]
fn coefficients_of_the_course_series() {
    let s = ok("e = taylor(exp, 0, 8).coeffs
        c = taylor(cos, 0, 8).coeffs
        r = taylor(x -> 1 / x, 1, 6).coeffs
        l = taylor(log, 1, 6).coeffs
        sc = taylor(x -> sin(x) + cos(x), 0, 5).coeffs
        e2 = taylor(exp, 2, 4).coeffs");
    let exp: Vec<f64> = (0..=8).map(|k| 1.0 / fact(k)).collect();
    all_close(&elems(&s, "e"), &exp, 1e-15);
    let cos: Vec<f64> = (0..=8).map(|k| if k % 2 == 1 { 0.0 } else { (-1f64).powi(k as i32 / 2) / fact(k) }).collect();
    all_close(&elems(&s, "c"), &cos, 1e-15);
    let recip: Vec<f64> = (0..=6).map(|k| (-1f64).powi(k)).collect();
    all_close(&elems(&s, "r"), &recip, 1e-14);
    // ln x about 1: 0, 1, −1/2, 1/3, …
    let ln: Vec<f64> = (0..=6).map(|k| if k == 0 { 0.0 } else { (-1f64).powi(k + 1) / k as f64 }).collect();
    all_close(&elems(&s, "l"), &ln, 1e-14);
    // sin + cos about 0: 1, 1, −1/2, −1/6, 1/24, 1/120.
    all_close(&elems(&s, "sc"), &[1.0, 1.0, -0.5, -1.0 / 6.0, 1.0 / 24.0, 1.0 / 120.0], 1e-15);
    // eˣ about 2: e²/k!.
    let e2: Vec<f64> = (0..=4).map(|k| 2f64.exp() / fact(k)).collect();
    all_close(&elems(&s, "e2"), &e2, 1e-14);
}

#[test]
fn the_polynomial_is_callable_and_differentiable() {
    let s = ok("t = taylor(exp, 0, 10)
        p1 = t.poly(1)
        pv = t.poly([0, 0.5, 1])
        d = derivative(t.poly)(0.5)
        q = taylor(cos, 1, 3)
        q1 = q.poly(1.2)
        z = taylor(exp, 0, 0).poly([1, 2])");
    let e10: f64 = (0..=10).map(|k| 1.0 / fact(k)).sum();
    close(num(&s, "p1"), e10, 1e-15);
    // The error of T₁₀ at 1 is below e/11! (Lagrange remainder).
    assert!((num(&s, "p1") - 1f64.exp()).abs() < 1f64.exp() / fact(11));
    assert_eq!(elems(&s, "pv").len(), 3);
    // d/dx of T₁₀ is T₉.
    let t9: f64 = (0..=9).map(|k| 0.5f64.powi(k) / fact(k as usize)).sum();
    close(num(&s, "d"), t9, 1e-14);
    let h: f64 = 0.2;
    let by_hand = 1f64.cos() - 1f64.sin() * h - 1f64.cos() / 2.0 * h * h + 1f64.sin() / 6.0 * h.powi(3);
    close(num(&s, "q1"), by_hand, 1e-15);
    // Order 0 is the constant, in the argument's shape.
    assert_eq!(elems(&s, "z"), vec![1.0, 1.0]);
}

#[test]
fn two_variables_give_value_gradient_and_hessian() {
    // f = eˣ sin y at (0, 1): f = sin 1, ∇f = [sin 1, cos 1], H = [sin 1, cos 1; cos 1, −sin 1].
    let s = ok("f(x, y) = exp(x) * sin(y)
        t = taylor(f, [0, 1])
        v = t.value
        g = t.gradient
        H = t.hessian
        p = t.poly(0.1, 1.1)
        pv = t.poly([0.1, 1.1])
        lin = taylor(f, [0, 1], 1).poly(0.1, 1.1)
        w(v) = v[1]^2 * v[2]
        tw = taylor(w, [1, 2])
        gw = tw.gradient");
    let (s1, c1) = (1f64.sin(), 1f64.cos());
    close(num(&s, "v"), s1, 1e-15);
    all_close(&elems(&s, "g"), &[s1, c1], 1e-15);
    all_close(&elems(&s, "H"), &[s1, c1, c1, -s1], 1e-15);
    let quad = s1 + 0.1 * s1 + 0.1 * c1 + 0.5 * (s1 * 0.01 + 2.0 * c1 * 0.01 - s1 * 0.01);
    close(num(&s, "p"), quad, 1e-15);
    close(num(&s, "pv"), quad, 1e-15);
    close(num(&s, "lin"), s1 + 0.1 * s1 + 0.1 * c1, 1e-15);
    all_close(&elems(&s, "gw"), &[4.0, 1.0], 1e-15);
}

#[test]
fn taylor_errors() {
    fails("taylor(exp, 0, 101)", "invalid-argument");
    fails("taylor(exp, 0, -1)", "invalid-argument");
    fails("taylor(x -> [x, x], 0, 2)", "not-differentiable");
    fails("taylor((x, y) -> x * y, [1, 2], 3)", "invalid-argument");
    fails("taylor(v -> v, [1, 2])", "shape-mismatch");
    fails("taylor(exp, nan, 2)", "not-finite");
    fails("taylor(exp, \"a\", 2)", "type-mismatch");
    fails("t = taylor((x, y) -> x * y, [1, 2])\nt.poly(1, 2, 3)", "invalid-argument");
}

/// `a` agrees with `b` to the relative tolerance `rtol`; where `b` is 0, `a` is 0 too (to
/// 1e-30: the odd or even coefficients of the series below vanish exactly).
#[track_caller]
fn rel_close(a: &[f64], b: &[f64], rtol: f64) {
    assert_eq!(a.len(), b.len(), "lengths differ");
    for (k, (x, y)) in a.iter().zip(b).enumerate() {
        let ok = if *y == 0.0 { x.abs() <= 1e-30 } else { ((x - y) / y).abs() <= rtol };
        assert!(ok, "coefficient {k}: {x} is not within {rtol} of {y}");
    }
}

/// The binomial coefficient (a choose k) for a real `a`.
fn binom(a: f64, k: usize) -> f64 {
    (0..k).map(|i| (a - i as f64) / (i + 1) as f64).product()
}

#[test]
fn high_order_coefficients_of_known_series() {
    let s = ok("e = taylor(exp, 0, 40).coeffs
        s = taylor(sin, 0, 35).coeffs
        c = taylor(cos, 0, 34).coeffs
        g = taylor(x -> 1 / (1 - x), 0, 40).coeffs
        a = taylor(atan, 0, 39).coeffs
        l = taylor(x -> log(1 + x), 0, 40).coeffs
        r = taylor(x -> sqrt(1 + x), 0, 30).coeffs
        t = taylor(tan, 0, 15).coeffs
        e3 = taylor(exp, 3, 30).coeffs");
    // eˣ: 1/k!, to order 40 (1/40! ≈ 1.2e-48: relative accuracy all the way).
    rel_close(&elems(&s, "e"), &(0..=40).map(|k| 1.0 / fact(k)).collect::<Vec<_>>(), 1e-13);
    let sin: Vec<f64> =
        (0..=35).map(|k| if k % 2 == 0 { 0.0 } else { (-1f64).powi((k as i32 - 1) / 2) / fact(k) }).collect();
    rel_close(&elems(&s, "s"), &sin, 1e-13);
    let cos: Vec<f64> = (0..=34).map(|k| if k % 2 == 1 { 0.0 } else { (-1f64).powi(k as i32 / 2) / fact(k) }).collect();
    rel_close(&elems(&s, "c"), &cos, 1e-13);
    // 1/(1 − x): all ones, exactly.
    assert_eq!(elems(&s, "g"), vec![1.0; 41]);
    // atan: (−1)^((k−1)/2) / k on odd k.
    let atan: Vec<f64> =
        (0..=39i32).map(|k| if k % 2 == 0 { 0.0 } else { (-1f64).powi((k - 1) / 2) / f64::from(k) }).collect();
    rel_close(&elems(&s, "a"), &atan, 1e-13);
    // log(1 + x): (−1)^(k+1) / k.
    let log: Vec<f64> = (0..=40i32).map(|k| if k == 0 { 0.0 } else { (-1f64).powi(k + 1) / f64::from(k) }).collect();
    rel_close(&elems(&s, "l"), &log, 1e-13);
    // sqrt(1 + x): the binomial coefficients (1/2 choose k).
    rel_close(&elems(&s, "r"), &(0..=30).map(|k| binom(0.5, k)).collect::<Vec<_>>(), 1e-13);
    // tan: 1, 1/3, 2/15, 17/315, 62/2835, 1382/155925, 21844/6081075, 929569/638512875.
    let odd = [
        1.0,
        1.0 / 3.0,
        2.0 / 15.0,
        17.0 / 315.0,
        62.0 / 2835.0,
        1382.0 / 155925.0,
        21844.0 / 6081075.0,
        929569.0 / 638512875.0,
    ];
    let tan: Vec<f64> = (0..=15).map(|k| if k % 2 == 0 { 0.0 } else { odd[k / 2] }).collect();
    rel_close(&elems(&s, "t"), &tan, 1e-13);
    // eˣ about 3: e³/k!.
    rel_close(&elems(&s, "e3"), &(0..=30).map(|k| 3f64.exp() / fact(k)).collect::<Vec<_>>(), 1e-13);
}

#[test]
fn high_orders_at_poles_and_branch_points_are_errors() {
    let e = fails("taylor(log, 0, 30)", "not-differentiable");
    assert!(e.contains("no Taylor series about 0"), "{e}");
    let e = fails("taylor(x -> 1 / x, 0, 20)", "not-differentiable");
    assert!(e.contains("its value there is inf"), "{e}");
    let e = fails("taylor(sqrt, 0, 20)", "not-differentiable");
    assert!(e.contains("its derivative there is inf"), "{e}");
    let e = fails("derivative(x -> 1 / (1 - x), 25)(1)", "not-differentiable");
    assert!(e.contains("does not exist at x = 1"), "{e}");
    let e = fails("derivative(asin, 20)(1)", "not-differentiable");
    assert!(e.contains("does not exist at x = 1"), "{e}");
}

#[test]
fn builtins_without_a_jet_rule_use_nested_duals_up_to_order_12() {
    // `norm` has a derivative rule but none for jets: order 12 works by nested duals
    // (√(x² + 1) about 0: the binomial series in x²), order 13 names it.
    let s = ok("c = taylor(x -> norm([x, 1]), 0, 12).coeffs");
    let expected: Vec<f64> = (0..=12).map(|k| if k % 2 == 1 { 0.0 } else { binom(0.5, k / 2) }).collect();
    all_close(&elems(&s, "c"), &expected, 1e-12);
    let e = fails("taylor(x -> norm([x, 1]), 0, 13)", "not-differentiable");
    assert!(e.contains("`norm` has no rule for derivatives above order 12"), "{e}");
    assert!(e.contains("up to order 12"), "{e}");
    let e = fails("derivative(x -> norm([x, 1]), 13)(0.5)", "not-differentiable");
    assert!(e.contains("`norm` has no rule for derivatives above order 12"), "{e}");
    fails("derivative(exp, 101)", "invalid-argument");
}
