-- W10: sieve of Eratosthenes up to 2,000,000, element by element
local function main()
    local n = 2000000
    local prime = {}
    for k = 1, n do prime[k] = 1 end
    prime[1] = 0
    local i = 2
    while i * i <= n do
        if prime[i] == 1 then
            local j = i * i
            while j <= n do
                prime[j] = 0
                j = j + i
            end
        end
        i = i + 1
    end
    local count = 0
    for k = 1, n do count = count + prime[k] end
    print(count)
end
main()
