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
