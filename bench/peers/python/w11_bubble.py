# W11: bubble sort of 2,000 pseudo-random numbers (Park–Miller), swapping v[j] and v[j + 1]
def main():
    n = 2000
    v = [0] * n
    seed = 42
    for i in range(n):
        seed = (seed * 16807) % 2147483647
        v[i] = seed
    for i in range(1, n):
        for j in range(n - i):
            if v[j] > v[j + 1]:
                t = v[j]
                v[j] = v[j + 1]
                v[j + 1] = t
    check = 0
    for i in range(n):
        check = (check * 31 + v[i]) % 1000000007
    print(v[0], v[n - 1], check)
main()
