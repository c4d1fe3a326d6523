-- wrk script: POST a realistic public complaint (JSON) to /api/v1/complaints.
-- The title varies per request so rows are not identical; wrk reports non-201 answers as "Non-2xx".
local titles = {
  "Jalan berlubang di Jl. A. Yani km 17",
  "Antrean poliklinik RSUD sangat panjang",
  "Sampah tidak diangkut lebih dari seminggu",
  "Air PDAM tidak mengalir sejak tiga hari",
  "Pungutan liar di loket perizinan",
}
local counter = 0

request = function()
  counter = counter + 1
  local body = string.format(
    '{"type":"pengaduan","title":"%s (%d)","body":"Kejadian ini sudah berlangsung sekitar dua minggu dan sangat mengganggu warga sekitar. Mohon segera ditindaklanjuti oleh dinas terkait.","incident_date":"2026-01-15","jurisdiction":"63","address":"Jl. Lambung Mangkurat No. 12, Banjarmasin","lat":-3.3186,"lng":114.5944,"category":"infrastruktur.jalan","anonymous":false,"confidential":false,"reporter":{"name":"Warga Bench","email":"warga.bench@example.org"}}',
    titles[(counter % #titles) + 1], counter)
  return wrk.format("POST", "/api/v1/complaints", {["Content-Type"] = "application/json"}, body)
end
