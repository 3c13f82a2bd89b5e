# W12: Gaussian elimination by hand on a 150×150 system, A[i][j] = A[i][j] - m * A[k][j]
def main():
    n = 150
    A = [[0.0] * n for _ in range(n)]
    b = [0.0] * n
    seed = 42
    for i in range(n):
        for j in range(n):
            seed = (seed * 16807) % 2147483647
            A[i][j] = seed / 2147483647
        A[i][i] = A[i][i] + n
    for i in range(n):
        s = 0.0
        for j in range(n):
            s = s + A[i][j]
        b[i] = s
    for k in range(n - 1):
        for i in range(k + 1, n):
            m = A[i][k] / A[k][k]
            for j in range(k, n):
                A[i][j] = A[i][j] - m * A[k][j]
            b[i] = b[i] - m * b[k]
    x = [0.0] * n
    for i in range(n - 1, -1, -1):
        s = b[i]
        for j in range(i + 1, n):
            s = s - A[i][j] * x[j]
        x[i] = s / A[i][i]
    err = max(abs(xi - 1) for xi in x)
    print("true" if err < 1e-12 else "false")
main()
