//! Tests of the fits: references from SciPy/NumPy (regenerate with
//! `tests/data/gen_calculus_scipy.py`), NIST's certified Longley coefficients, exact small
//! cases, derivatives of `normal_pdf` and `polyval` against finite differences, and the
//! errors of bad data.

use crate::objective::tests::{all_close, close, elems, fails, global, num, ok};

const X: &str = "x = [0.5, 1.3, 2.1, 2.9, 4.2, 5.0, 6.3, 7.7]
y = [1.1, 2.9, 4.2, 6.8, 8.1, 10.9, 12.2, 15.8]\n";

#[test]
fn linregress_matches_scipy() {
    // scipy.stats.linregress(x, y) and Σ(y − m x − c)².
    let s = ok(&format!(
        "{X}r = linregress(x, y)
        m = r.slope
        c = r.intercept
        rr = r.r
        se = r.slope_err
        ie = r.intercept_err
        chi = r.chi2
        m2, c2 = linfit(x', y)"
    ));
    close(num(&s, "m"), 1.9917958067456698, 1e-14);
    close(num(&s, "c"), 0.2807657247037385, 1e-13);
    close(num(&s, "rr"), 0.9948215935015376, 1e-14);
    close(num(&s, "se"), 0.08307571446059135, 1e-13);
    close(num(&s, "ie"), 0.36729895763125886, 1e-13);
    close(num(&s, "chi"), 1.8170464904284445, 1e-13);
    close(num(&s, "m2"), 1.9917958067456698, 1e-14);
    close(num(&s, "c2"), 0.2807657247037385, 1e-13);
}

#[test]
fn line_fits_of_exact_and_degenerate_data() {
    let s = ok("m, c = linfit([0, 1, 2, 3], [1, 3, 5, 7])
        r = linregress([1, 2], [3, 5])
        e = r.slope_err
        q = linregress([1, 2, 3], [4, 4, 4])
        qr = q.r
        qm = q.slope");
    assert_eq!((num(&s, "m"), num(&s, "c")), (2.0, 1.0));
    assert!(num(&s, "e").is_nan());
    assert!(num(&s, "qr").is_nan());
    assert_eq!(num(&s, "qm"), 0.0);
    fails("linfit([1, 1, 1], [1, 2, 3])", "invalid-argument");
    fails("linfit([1, 2, 3], [1, 2])", "shape-mismatch");
    fails("linfit([1], [1])", "invalid-argument");
    fails("linregress([1, 2; 3, 4], [1, 2, 3, 4])", "shape-mismatch");
    fails("linfit([1, nan], [1, 2])", "not-finite");
}

#[test]
fn polyfit_and_polyval_match_numpy() {
    // numpy.polyfit(linspace(-1, 2, 9), y, 3) and numpy.polyval at [0.25, 1.5, 3].
    let s = ok("x = linspace(-1, 2, 9)
        y = [0.3, -0.2, 0.1, 0.9, 1.2, 2.5, 3.1, 5.2, 8.0]
        p = polyfit(x, y, 3)
        v = polyval(p, [0.25, 1.5, 3.0])
        e = polyfit([0, 1, 2, 3], [1, 2, 5, 10], 2)
        i = polyfit([1, 2, 4], [3, -1, 7], 2)
        iv = polyval(i, [1, 2, 4])
        c = polyval(5, [1, 2])
        d = derivative(t -> polyval([1, -2, 3, 4], t))(2)
        gp = grad(q -> polyval(q, 2), [1, 1, 1])");
    all_close(&elems(&s, "p"), &[0.2649706946003243, 0.8339051894607455, 0.954347709903265, 0.4712718009014302], 1e-13);
    all_close(&elems(&s, "v"), &[0.7661179698216731, 4.6733561363191, 17.99367038996669], 1e-13);
    // Exactly 1 + x² (small fractions are solved exactly).
    assert_eq!(elems(&s, "e"), vec![1.0, 0.0, 1.0]);
    all_close(&elems(&s, "iv"), &[3.0, -1.0, 7.0], 1e-14);
    assert_eq!(elems(&s, "c"), vec![5.0, 5.0]);
    // d/dt (t³ − 2t² + 3t + 4) = 3t² − 4t + 3 = 7 at 2; ∂/∂q of q₁t² + q₂t + q₃ is [t², t, 1].
    assert_eq!(num(&s, "d"), 7.0);
    assert_eq!(elems(&s, "gp"), vec![4.0, 2.0, 1.0]);
    fails("polyfit([1, 2], [1, 2], 2)", "invalid-argument");
    fails("polyfit([1, 1, 1], [1, 2, 3], 2)", "invalid-argument");
    fails("polyfit([1, 2, 3], [1, 2, 3], 1.5)", "invalid-argument");
    fails("polyval([1, 2; 3, 4], 1)", "shape-mismatch");
    fails("polyval(\"p\", 1)", "type-mismatch");
}

#[test]
fn lstsq_reproduces_the_certified_longley_coefficients() {
    // NIST StRD, Longley: certified values of β0 … β6.
    let certified = [
        -3482258.63459582,
        15.0618722713733,
        -0.358191792925910e-01,
        -2.02022980381683,
        -1.03322686717359,
        -0.511041056535807e-01,
        1829.15146461355,
    ];
    let s = ok("d = dataset(\"longley\")
        X = [ones(16, 1), d.data]
        r = lstsq(X, d.target)
        b = r.x
        rk = r.rank
        res = r.residuals
        check = X' * res");
    let b = elems(&s, "b");
    for (got, want) in b.iter().zip(certified) {
        assert!(((got - want) / want).abs() < 1e-10, "{got} vs certified {want}");
    }
    assert_eq!(num(&s, "rk"), 7.0);
    // The residual is orthogonal to the columns (the normal equations hold).
    let scale = 1e6 * 1e5;
    assert!(elems(&s, "check").iter().all(|v| v.abs() < 1e-6 * scale));
}

#[test]
fn lstsq_of_small_and_rank_deficient_systems() {
    // numpy.linalg.lstsq([1,2,3;4,5,6;7,8,9], [1,2,3]): the minimum-norm solution
    // [−1/18, 1/9, 5/18], rank 2.
    let s = ok("r = lstsq([1, 2, 3; 4, 5, 6; 7, 8, 9], [1, 2, 3])
        x = r.x
        rk = r.rank
        sv = r.sv
        t = lstsq([1, 0; 1, 1; 1, 2], [1, 2, 4])
        tx = t.x
        ss = t.residuals' * t.residuals
        m = lstsq([1, 0; 1, 1; 1, 2], [1, 2; 2, 4; 4, 8]).x");
    all_close(&elems(&s, "x"), &[-1.0 / 18.0, 1.0 / 9.0, 5.0 / 18.0], 1e-13);
    assert_eq!(num(&s, "rk"), 2.0);
    let sv = elems(&s, "sv");
    all_close(&sv[..2], &[16.84810335261421, 1.0683695145547096], 1e-14);
    assert!(sv[2] < 1e-14);
    all_close(&elems(&s, "tx"), &[5.0 / 6.0, 1.5], 1e-15);
    close(num(&s, "ss"), 1.0 / 6.0, 1e-14);
    all_close(&elems(&s, "m"), &[5.0 / 6.0, 1.5, 5.0 / 3.0, 3.0], 1e-15);
    fails("lstsq([1, 2; 3, 4], [1, 2, 3])", "shape-mismatch");
    fails("lstsq([], [])", "invalid-argument");
    fails("lstsq([1, inf], [1, 2])", "not-finite");
}

#[test]
fn curve_fit_matches_scipy() {
    // scipy.optimize.curve_fit on the course's heights histogram (Gaussian, from [155, 6]) and
    // on a decaying exponential with an offset (from [5, 0.5, 0]).
    let s = ok("h = dataset(\"heights\")
        g = curve_fit((x, mu, sig) -> normal_pdf(x, mu, sig), h.x, h.y, [155, 6])
        gp = g.params
        gc = g.chi2
        x = (0:7)'
        y = [5.1, 3.9, 2.8, 2.3, 1.6, 1.3, 0.9, 0.8]'
        model(x, p) = p[1] * exp(-p[2] * x) + p[3]
        e = curve_fit(model, x, y, [5, 0.5, 0])
        ep = e.params
        ec = e.chi2
        er = e.residuals
        direct = y - model(x, ep)");
    all_close(&elems(&s, "gp"), &[178.51982435724477, 7.5499077508161205], 1e-8);
    close(num(&s, "gc"), 0.00043924536713233744, 1e-10);
    all_close(&elems(&s, "ep"), &[5.010677333456377, 0.292133629424441, 0.10396490117720049], 1e-8);
    close(num(&s, "ec"), 0.03722144728137066, 1e-10);
    // Residuals keep y's shape (a row here) and are y − model.
    let er = global(&s, "er").to_matrix().unwrap();
    assert_eq!(er.shape(), (1, 8));
    all_close(er.as_slice(), &elems(&s, "direct"), 1e-15);
}

#[test]
fn curve_fit_errors() {
    fails("curve_fit((x, p) -> p * [1, 1], [1, 2, 3], [1, 2, 3], 1)", "shape-mismatch");
    fails("curve_fit((x, p) -> x .* 0 + 1, [1, 2, 3], [1, 2, 3], 1)", "singular-matrix");
    fails("curve_fit((x, a, k) -> a * exp(-k * x), [1, 2, 3], [3, 2, 1], [1, 1], maxit = 1)", "no-convergence");
    fails("curve_fit((x, p) -> p * x, [1, 2], [1, nan], 1)", "not-finite");
    fails("curve_fit(1, [1, 2], [1, 2], 1)", "type-mismatch");
}

#[test]
fn normal_pdf_matches_scipy_and_differentiates() {
    // scipy.stats.norm.pdf([-1.5, 0.2, 3.0], 0.5, 1.7).
    let s = ok("p = normal_pdf([-1.5, 0.2, 3.0], 0.5, 1.7)
        z = normal_pdf(0)
        g = grad((x, m, s) -> normal_pdf(x, m, s), 1.2, 0.5, 1.7)
        n = numgrad(v -> normal_pdf(v[1], v[2], v[3]), [1.2, 0.5, 1.7])
        d2 = derivative(x -> normal_pdf(x), 2)(0.3)");
    all_close(&elems(&s, "p"), &[0.11746577002705627, 0.23104616994892688, 0.07958881881395723], 1e-15);
    close(num(&s, "z"), 1.0 / (2.0 * std::f64::consts::PI).sqrt(), 1e-15);
    all_close(&elems(&s, "g"), &elems(&s, "n"), 1e-8);
    // φ″(x) = (x² − 1) φ(x).
    let phi = (-0.045f64).exp() / (2.0 * std::f64::consts::PI).sqrt();
    close(num(&s, "d2"), (0.09 - 1.0) * phi, 1e-14);
    fails("normal_pdf(1, 0, 0)", "domain-error");
    fails("normal_pdf(1, 0, -2)", "domain-error");
    fails("normal_pdf(\"a\")", "type-mismatch");
}
