import HTTP1

/// A request head for `method` and `target` (path and query split as the parser splits them),
/// with a `Host` header plus `headers`: what handler-level tests feed the API tier.
func head(_ method: String, _ target: String, headers: [(String, String)] = [])
  -> HTTPRequestHead
{
  let parts = target.split(separator: "?", maxSplits: 1)
  let rawQuery = parts.count > 1 ? String(parts[1]) : ""
  let query = rawQuery.split(separator: "&").map { item -> (name: String, value: String) in
    let kv = item.split(separator: "=", maxSplits: 1)
    return (String(kv[0]), kv.count > 1 ? String(kv[1]) : "")
  }
  return HTTPRequestHead(
    method: method, target: target, path: String(parts[0]), rawQuery: rawQuery, query: query,
    version: .http1_1, headers: HTTPHeaders([("Host", "x")] + headers), keepAlive: true,
    expectsContinue: false)
}
