#if canImport(Glibc)
  import Glibc
#endif

import Synchronization

/// A non-blocking Kubernetes API client: a few epoll loop threads, each with a bounded
/// keep-alive connection pool for unary requests and dedicated connections for watch streams.
/// Thousands of callers (simulated agents) share it; a caller pinned to one loop gets every
/// completion, timer and watch event on that loop's thread, so its state needs no locks.
///
/// Invariant: the loops live from `init` to `shutdown()`; after `shutdown()` every request fails
/// with `.shutDown`.
public final class KubeClient: Sendable {
  public let url: ClientURL
  public let loops: [ClientLoop]
  let address: ResolvedAddress
  let transportFactory: ClientTransportFactory
  /// `User-Agent` and, with a bearer token, `Authorization` lines sent with every request.
  let fixedHeaders: String
  private let nextLoop = Atomic<Int>(0)
  private let stopped = Atomic<Bool>(false)

  /// - Parameters:
  ///   - loopCount: epoll threads.
  ///   - connectionsPerLoop: keep-alive connections for unary requests, per loop.
  ///   - requestTimeoutSeconds: a unary request without a complete response by then fails (`.timedOut`).
  ///   - transport: the byte stream for each connection; `nil` means plain TCP, which only
  ///     `http://` URLs accept (https needs a TLS factory).
  ///   - bearerToken: sent as `Authorization: Bearer …` (a kubeconfig user's `token`).
  public init(
    url: ClientURL, loopCount: Int = 1, connectionsPerLoop: Int = 32,
    requestTimeoutSeconds: Int = 60, transport: ClientTransportFactory? = nil,
    userAgent: String = "itsd-client", bearerToken: String? = nil
  ) throws(ClientError) {
    if url.scheme == .https && transport == nil {
      throw ClientError.connectFailed(
        "\(url) needs TLS, and no TLS transport is configured (plain http only for now)")
    }
    self.url = url
    self.address = try ResolvedAddress(host: url.host, port: url.port)
    self.transportFactory = transport ?? PlainTransportFactory()
    var fixed = "User-Agent: \(userAgent)\r\n"
    if let bearerToken { fixed += "Authorization: Bearer \(bearerToken)\r\n" }
    self.fixedHeaders = fixed
    var loops: [ClientLoop] = []
    for i in 0..<max(1, loopCount) { loops.append(try ClientLoop(index: i)) }
    self.loops = loops
    let address = self.address
    let factory = self.transportFactory
    let authority = url.authority
    let host = url.host
    for loop in loops {
      loop.pool = ConnectionPool(
        loop: loop, limit: connectionsPerLoop,
        timeoutNanos: UInt64(max(1, requestTimeoutSeconds)) * 1_000_000_000
      ) { (loop) throws(ClientError) in
        try ClientConnection(
          loop: loop, address: address, serverName: host, authority: authority,
          fixedHeaders: fixed, transportFactory: factory)
      }
      loop.start()
    }
  }

  /// The loop for caller number `index` (callers are spread round-robin).
  public func loop(for index: Int) -> ClientLoop { loops[index % loops.count] }

  /// Sends `request` through `loop`'s pool; `completion` runs on that loop's thread.
  /// Loop thread only.
  public func send(
    _ request: ClientRequest, on loop: ClientLoop, _ completion: @escaping (ClientResult) -> Void
  ) {
    send(request, on: loop, throttled: 0, completion)
  }

  /// client-go's rule for 429 Too Many Requests (the server's max-inflight limit): wait
  /// Retry-After seconds (1 s when absent) and try again, up to 10 times.
  private func send(
    _ request: ClientRequest, on loop: ClientLoop, throttled: Int,
    _ completion: @escaping (ClientResult) -> Void
  ) {
    loop.pool.submit(
      Exchange(
        request: request,
        sink: .buffered { [self] result in
          guard case .success(let r) = result, r.status == 429, throttled < 10 else {
            completion(result)
            return
          }
          let seconds = r.header("Retry-After").flatMap { UInt64($0) } ?? 1
          loop.schedule(afterNanos: max(1, seconds) * 1_000_000_000) { [self] in
            send(request, on: loop, throttled: throttled + 1, completion)
          }
        }))
  }

  /// Sends `request` from any thread; `completion` runs on some loop thread.
  public func send(
    _ request: ClientRequest, _ completion: @escaping @Sendable (ClientResult) -> Void
  ) {
    let loop = loops[(nextLoop.add(1, ordering: .relaxed).newValue) % loops.count]
    loop.execute { [self] in send(request, on: loop, completion) }
  }

  /// Sends `request` and waits for its outcome (not from a loop thread).
  public func sendAndWait(_ request: ClientRequest) -> ClientResult {
    let box = Mutex<ClientResult?>(nil)
    let done = Semaphore()
    send(request) { result in
      box.withLock { $0 = result }
      done.signal()
    }
    done.wait()
    return box.withLock { $0! }
  }

  /// Opens a dedicated connection for a streamed response (a watch). Loop thread only.
  func openStream(_ request: ClientRequest, receiver: StreamReceiver, on loop: ClientLoop)
    -> ClientConnection?
  {
    do {
      let c = try ClientConnection(
        loop: loop, address: address, serverName: url.host, authority: url.authority,
        fixedHeaders: fixedHeaders, transportFactory: transportFactory)
      c.start(Exchange(request: request, sink: .stream(receiver)), timeoutNanos: nil)
      return c
    } catch {
      receiver.streamEnded(error)
      return nil
    }
  }

  /// Stops every loop: connections close, pending requests fail with `.shutDown`. Idempotent;
  /// not from a loop thread.
  public func shutdown() {
    if stopped.exchange(true, ordering: .acquiringAndReleasing) { return }
    for loop in loops { loop.stopAndJoin() }
  }
}

/// A counting semaphore on a pthread mutex and condition variable (no Dispatch or Foundation).
public final class Semaphore: @unchecked Sendable {
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
  /// Guarded by `mutex`.
  private var count = 0

  public init() {
    pthread_mutex_init(mutex, nil)
    pthread_cond_init(cond, nil)
  }

  deinit {
    pthread_cond_destroy(cond)
    pthread_mutex_destroy(mutex)
    cond.deallocate()
    mutex.deallocate()
  }

  public func signal() {
    pthread_mutex_lock(mutex)
    count += 1
    pthread_cond_signal(cond)
    pthread_mutex_unlock(mutex)
  }

  public func wait() {
    pthread_mutex_lock(mutex)
    while count == 0 { pthread_cond_wait(cond, mutex) }
    count -= 1
    pthread_mutex_unlock(mutex)
  }
}
