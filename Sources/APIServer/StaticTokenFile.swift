import APIMachinery

/// kube-apiserver's `--token-auth-file`: CSV records `token,user,uid[,"group1,group2"]`
/// (`staging/src/k8s.io/apiserver/pkg/authentication/token/tokenfile`). Quoted fields may
/// hold commas and `""`; blank lines are skipped; a record with fewer than three columns is
/// an error; an empty token is skipped and a repeated token replaces the earlier one, as kube
/// does (it only warns).
public struct StaticTokenFile: Sendable, Equatable {
  /// Users by token.
  public private(set) var users: [String: UserInfo]
  /// Problems kube logs as warnings (empty or duplicate tokens), by record number.
  public private(set) var warnings: [String]

  /// A parse error, worded like kube's.
  public struct ParseError: Error, Equatable, CustomStringConvertible {
    public var description: String
  }

  /// Parses the file's text; `path` only names it in messages.
  public init(text: String, path: String) throws(ParseError) {
    users = [:]
    warnings = []
    var recordNumber = 0
    for record in try Self.records(text, path: path) {
      guard record.count >= 3 else {
        throw ParseError(
          description:
            "token file '\(path)' must have at least 3 columns (token, user name, user uid), found \(record.count)"
        )
      }
      recordNumber += 1
      let token = record[0]
      if token.isEmpty {
        warnings.append(
          "empty token has been found in token file '\(path)', record number '\(recordNumber)'")
        continue
      }
      if users[token] != nil {
        warnings.append(
          "duplicate token has been found in token file '\(path)', record number '\(recordNumber)'")
      }
      var user = UserInfo(name: record[1], uid: record[2])
      if record.count >= 4 {
        user.groups = record[3].split(separator: ",", omittingEmptySubsequences: false).map(
          String.init)
      }
      users[token] = user
    }
  }

  /// Splits CSV text into records (Go's `encoding/csv` with variable field counts).
  static func records(_ text: String, path: String) throws(ParseError) -> [[String]] {
    var records: [[String]] = []
    var record: [String] = []
    var field: [UInt8] = []
    var inQuotes = false
    // A field is pending at the end of a record (after a comma or an empty quoted field).
    var pending = false
    var quoted = false
    var line = 1
    let bytes = Array(text.utf8)
    var i = 0
    func endField() {
      record.append(String(decoding: field, as: UTF8.self))
      field = []
      pending = false
      quoted = false
    }
    while i < bytes.count {
      let c = bytes[i]
      if inQuotes {
        if c == UInt8(ascii: "\"") {
          if i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\"") {
            field.append(c)
            i += 2
            continue
          }
          inQuotes = false
        } else {
          if c == 10 { line += 1 }
          field.append(c)
        }
        i += 1
        continue
      }
      switch c {
      case UInt8(ascii: "\""):
        guard field.isEmpty && !quoted else {
          throw ParseError(
            description: "parse error on line \(line): bare \" in non-quoted-field (\(path))")
        }
        inQuotes = true
        quoted = true
        pending = true
      case UInt8(ascii: ","):
        endField()
        pending = true
      case 13 where i + 1 < bytes.count && bytes[i + 1] == 10:
        break
      case 10:
        if !record.isEmpty || !field.isEmpty || pending {
          endField()
          records.append(record)
        }
        record = []
        line += 1
      default:
        field.append(c)
      }
      i += 1
    }
    if inQuotes {
      throw ParseError(
        description:
          "parse error on line \(line): extraneous or missing \" in quoted-field (\(path))")
    }
    if !record.isEmpty || !field.isEmpty || pending {
      endField()
      records.append(record)
    }
    return records
  }
}
