-- wrk script: GET /v1/documents/{sha256} with a random loaded digest.
local digests = {}
for line in io.lines(os.getenv("DIGESTS")) do digests[#digests + 1] = line end
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/v1/documents/" .. digests[math.random(#digests)])
end
