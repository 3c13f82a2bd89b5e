-- W11: bubble sort of 2,000 pseudo-random numbers (Park–Miller), swapping v[j] and v[j + 1]
local function main()
    local n = 2000
    local v = {}
    local seed = 42
    for i = 1, n do
        seed = (seed * 16807) % 2147483647
        v[i] = seed
    end
    for i = 1, n - 1 do
        for j = 1, n - i do
            if v[j] > v[j + 1] then
                local t = v[j]
                v[j] = v[j + 1]
                v[j + 1] = t
            end
        end
    end
    local check = 0
    for i = 1, n do check = (check * 31 + v[i]) % 1000000007 end
    print(v[1] .. " " .. v[n] .. " " .. check)
end
main()
