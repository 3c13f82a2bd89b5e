-- W12: Gaussian elimination by hand on a 150×150 system, A[i][j] = A[i][j] - m * A[k][j]
local function main()
    local n = 150
    local A, b = {}, {}
    local seed = 42
    for i = 1, n do
        A[i] = {}
        for j = 1, n do
            seed = (seed * 16807) % 2147483647
            A[i][j] = seed / 2147483647
        end
        A[i][i] = A[i][i] + n
    end
    for i = 1, n do
        local s = 0.0
        for j = 1, n do s = s + A[i][j] end
        b[i] = s
    end
    for k = 1, n - 1 do
        for i = k + 1, n do
            local m = A[i][k] / A[k][k]
            for j = k, n do
                A[i][j] = A[i][j] - m * A[k][j]
            end
            b[i] = b[i] - m * b[k]
        end
    end
    local x = {}
    for i = n, 1, -1 do
        local s = b[i]
        for j = i + 1, n do s = s - A[i][j] * x[j] end
        x[i] = s / A[i][i]
    end
    local err = 0
    for i = 1, n do err = math.max(err, math.abs(x[i] - 1)) end
    print(err < 1e-12 and "true" or "false")
end
main()
