# W10: sieve of Eratosthenes up to 2,000,000, element by element
def main():
    n = 2000000
    prime = [1] * (n + 1)
    prime[0] = 0
    prime[1] = 0
    i = 2
    while i * i <= n:
        if prime[i] == 1:
            j = i * i
            while j <= n:
                prime[j] = 0
                j = j + i
        i = i + 1
    count = 0
    for k in range(1, n + 1):
        count = count + prime[k]
    print(count)
main()
