-- Script for wrk (bench/wrk.py): counts the responses by status and, for a POST, gives every request a
-- token of its own (a submission with a token already stored would be refused as a double send).
-- Arguments after "--": the body file ("" for a GET), then the token prefix of this run.
-- Prints one line "RESULTAT {json}" that bench/wrk.py reads. "envoyes" counts the POSTs written, answered or
-- not: those still in flight when wrk stops reach the server too, and must be stored as well.

local fils = {}

function setup(thread)
   thread:set("numero", #fils + 1)
   table.insert(fils, thread)
end

function init(args)
   statuts = {}
   envois = 0
   if args[1] and args[1] ~= "" then
      local fichier = assert(io.open(args[1], "rb"))
      corps = fichier:read("*a")
      fichier:close()
      prefixe = args[2] .. "-" .. numero .. "-"
   end
end

function request()
   if corps then
      envois = envois + 1
      local jeton = prefixe .. envois
      -- The token also in the address, which the view ignores: gunicorn's access log then says which it accepted.
      return wrk.format("POST", wrk.path .. "?envoi=" .. jeton, nil, corps .. "&jeton=" .. jeton)
   end
   return wrk.format("GET")
end

function response(status, headers, body)
   statuts[status] = (statuts[status] or 0) + 1
end

function done(summary, latency, requests)
   local total, envoyes = {}, 0
   for _, fil in ipairs(fils) do
      envoyes = envoyes + fil:get("envois")
      for statut, nombre in pairs(fil:get("statuts")) do
         total[statut] = (total[statut] or 0) + nombre
      end
   end
   local parties = {}
   for statut, nombre in pairs(total) do
      table.insert(parties, string.format('"%d": %d', statut, nombre))
   end
   local erreurs = summary.errors
   io.write(string.format(
      'RESULTAT {"duree_us": %d, "requetes": %d, "envoyes": %d, "statuts": {%s}, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
      '"max_us": %d, "connexion": %d, "lecture": %d, "ecriture": %d, "expirees": %d}\n',
      summary.duration, summary.requests, envoyes, table.concat(parties, ", "),
      latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
      erreurs.connect, erreurs.read, erreurs.write, erreurs.timeout))
end
