import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// A loopback HTTP/1.1 server for tests: one thread per connection, every request (GET, no
/// body) answered by `respond(path)`, which returns the raw bytes to write and whether to close
/// the connection afterwards. Records the request paths in order.
final class ScriptedServer: @unchecked Sendable {
  let port: UInt16
  private let listener: Int32
  private let respond: @Sendable (String) -> (bytes: [UInt8], close: Bool)
  let paths = Mutex<[String]>([])

  init(respond: @escaping @Sendable (String) -> (bytes: [UInt8], close: Bool)) throws {
    self.respond = respond
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var one: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    withUnsafeMutablePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p in
        _ = bind(fd, p, len)
        _ = getsockname(fd, p, &len)
      }
    }
    listen(fd, 64)
    listener = fd
    port = UInt16(bigEndian: addr.sin_port)
    Thread { [self] in acceptLoop() }.start()
  }

  func close() { shutdown(listener, Int32(SHUT_RDWR)) }

  private func acceptLoop() {
    while true {
      let fd = accept(listener, nil, nil)
      if fd < 0 { return }
      Thread { [self] in serve(fd) }.start()
    }
  }

  private func serve(_ fd: Int32) {
    var pending: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      while let end = headEnd(pending) {
        let head = String(decoding: pending[..<end], as: UTF8.self)
        pending.removeFirst(end + 4)
        let path = String(head.split(separator: " ")[1])
        paths.withLock { $0.append(path) }
        let (bytes, close) = respond(path)
        var off = 0
        while off < bytes.count {
          let n = bytes[off...].withUnsafeBytes {
            Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
          }
          if n <= 0 { break }
          off += n
        }
        if close {
          Glibc.close(fd)
          return
        }
      }
      let n = read(fd, &buffer, buffer.count)
      if n <= 0 {
        Glibc.close(fd)
        return
      }
      pending.append(contentsOf: buffer[0..<n])
    }
  }

  private func headEnd(_ b: [UInt8]) -> Int? {
    guard b.count >= 4 else { return nil }
    for i in 0...(b.count - 4)
    where b[i] == 13 && b[i + 1] == 10 && b[i + 2] == 13 && b[i + 3] == 10 {
      return i
    }
    return nil
  }

  static func json(_ status: Int, _ body: String) -> [UInt8] {
    Array(
      "HTTP/1.1 \(status) X\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        .utf8)
  }

  /// A chunked watch response: each element of `chunks` one chunk, then the last chunk.
  static func stream(_ chunks: [String]) -> [UInt8] {
    var s =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    for c in chunks { s += String(c.utf8.count, radix: 16) + "\r\n" + c + "\r\n" }
    s += "0\r\n\r\n"
    return Array(s.utf8)
  }
}
