import APIMachinery
import Dispatch
import HTTP1
import HTTPServer
import JSON
import Store

/// The verbs on `/api/v1/...` and `/apis/G/V/...` resource paths: get, list, watch, create,
/// update, patch, delete and deletecollection, plus the `status` and `finalize` subresources.
struct ResourceHandler: Sendable {
  let registry: Registry
  let limits: APILimits

  /// `user`: the authenticated requester, recorded on every write (CSR requester fields,
  /// admission's access checks).
  func handle(_ request: HTTPRequest, info: RequestInfo, user: UserInfo) -> HTTPResponse {
    do {
      return try serve(request, info: info, user: user)
    } catch {
      return Responses.error(error)
    }
  }

  private func serve(_ request: HTTPRequest, info: RequestInfo, user: UserInfo) throws(APIError)
    -> HTTPResponse
  {
    let catalog = registry.catalog.snapshot
    guard let r = catalog.resource(group: info.group, version: info.version, plural: info.resource)
    else {
      throw APIError.pathNotFound
    }
    if !r.namespaced && info.namespace != nil { throw APIError.pathNotFound }
    let subresource = try Self.subresource(info, r)
    let method = request.head.method
    guard let output = Negotiation.output(accept: request.head.headers["Accept"]) else {
      throw APIError.notAcceptable
    }
    let namespace = info.namespace ?? ""
    if let name = info.name {
      if subresource == .finalize && method != "PUT" { throw APIError.methodNotAllowed }
      switch method {
      case "GET", "HEAD":
        return try get(request.head, r, namespace: namespace, name: name, output: output)
      case "PUT":
        let body = try Negotiation.decodeBody(request)
        let result = try registry.update(
          r, namespace: namespace, name: name, body: body, subresource: subresource,
          options: try Query.writeOptions(request.head, .update, user: user))
        return try render(result.bytes, r, output: output, warnings: result.warnings)
      case "PATCH":
        guard subresource != .finalize else { throw APIError.methodNotAllowed }
        return try PatchHandler(registry: registry, user: user).patch(
          request, r, namespace: namespace, name: name, subresource: subresource, output: output)
      case "DELETE":
        guard subresource == .main else { throw APIError.methodNotAllowed }
        return try delete(request, r, namespace: namespace, name: name, output: output, user: user)
      default:
        // kube-apiserver registers no route for it: go-restful's 405.
        throw APIError.methodNotAllowed
      }
    }
    switch method {
    case "GET", "HEAD":
      if Query.isWatch(request.head) {
        return try WatchHandler(registry: registry, limits: limits).watch(
          request, r, namespace: info.namespace, output: output)
      }
      return try list(request, r, namespace: info.namespace, output: output)
    case "POST":
      // The all-namespaces path of a namespaced kind only lists and watches.
      guard r.namespaced == false || info.namespace != nil else { throw APIError.methodNotAllowed }
      let body = try Negotiation.decodeBody(request)
      let options = try Query.writeOptions(request.head, user: user)
      // The only reference to the parsed tree goes to the registry, which edits it in place.
      let result = try registry.create(
        r, namespace: namespace, body: consume body, options: options)
      return try render(result.bytes, r, status: 201, output: output, warnings: result.warnings)
    case "DELETE":
      guard r.namespaced == false || info.namespace != nil, r.verbs.contains("deletecollection")
      else {
        throw APIError.methodNotAllowed
      }
      let (labels, fields) = try Query.selectors(request.head, r)
      let options = try Query.deleteOptions(request, user: user)
      let items = try registry.deleteCollection(
        r, namespace: info.namespace, labels: labels, fields: fields, options: options)
      return Responses.object(
        Responses.list(r, items: items), output: output == .table ? .json : output)
    default:
      throw APIError.methodNotAllowed
    }
  }

  private static func subresource(_ info: RequestInfo, _ r: ResourceDefinition) throws(APIError)
    -> Subresource
  {
    switch info.subresource {
    case nil: return .main
    case "status" where r.hasStatusSubresource: return .status
    case "approval" where r.hasApprovalSubresource: return .approval
    case "finalize" where r.group.isEmpty && r.plural == "namespaces": return .finalize
    default: throw APIError.pathNotFound
    }
  }

  /// Writes one object in the negotiated form (Table for kubectl's human output).
  private func render(
    _ bytes: [UInt8], _ r: ResourceDefinition, status: Int = 200, output: Negotiation.Output,
    single: StoredObject? = nil, warnings: [String] = []
  ) throws(APIError) -> HTTPResponse {
    let headers = Responses.warningHeaders(warnings)
    if output == .table {
      let value = try Negotiation.parseJSON(bytes)
      return Responses.object(
        TableConverter.table(r, objects: [value], revision: nil, continueToken: nil),
        status: status,
        output: .json, headers: headers)
    }
    return Responses.object(bytes, status: status, output: output, headers: headers)
  }

  // MARK: List

  private func list(
    _ request: HTTPRequest, _ r: ResourceDefinition, namespace: String?, output: Negotiation.Output
  )
    throws(APIError) -> HTTPResponse
  {
    let (labels, fields) = try Query.selectors(request.head, r)
    let options = try Query.listOptions(request.head)
    let registry = self.registry
    let attempt: @Sendable () throws(APIError) -> HTTPResponse = {
      let result = try registry.list(
        r, namespace: namespace, labels: labels, fields: fields, options: options)
      return listResponse(r, result, output: output)
    }
    do {
      return try attempt()
    } catch  where error.code == 504 {
      return retryingForRevision(attempt)
    }
  }

  /// One object. Its own function: the retry closure's captures stay out of `serve`, whose
  /// common path then copies no optional strings.
  private func get(
    _ head: HTTPRequestHead, _ r: ResourceDefinition, namespace: String, name: String,
    output: Negotiation.Output
  ) throws(APIError) -> HTTPResponse {
    let revision = try Query.getRevision(head)
    do {
      return try get(r, namespace: namespace, name: name, revision: revision, output: output)
    } catch  where error.code == 504 {
      return retryingForRevision { () throws(APIError) -> HTTPResponse in
        try get(r, namespace: namespace, name: name, revision: revision, output: output)
      }
    }
  }

  private func get(
    _ r: ResourceDefinition, namespace: String, name: String, revision: RevisionMatch,
    output: Negotiation.Output
  ) throws(APIError) -> HTTPResponse {
    let object = try registry.get(r, namespace: namespace, name: name, revision: revision)
    return try render(object.bytes, r, output: output, single: object)
  }

  /// The answer to a request whose first attempt failed with 504 (a resourceVersion the store
  /// has not reached yet): `attempt` is retried until the store catches up or
  /// `tooLargeResourceVersionWait` passes, as kube-apiserver's watch cache waits (3 s) before
  /// its 504 `Too large resource version` (for GET and LIST alike).
  private func retryingForRevision(
    _ attempt: @escaping @Sendable () throws(APIError) -> HTTPResponse
  ) -> HTTPResponse {
    let wait = limits.tooLargeResourceVersionWait
    return HTTPResponse(
      status: 200,
      body: .deferred { responder in
        DispatchQueue.global().async {
          let deadline = DispatchTime.now() + wait
          while true {
            do throws(APIError) {
              responder.respond(try attempt())
              return
            } catch  where error.code == 504 && DispatchTime.now() < deadline {
              usleep(5_000)
            } catch {
              responder.respond(Responses.error(error))
              return
            }
          }
        }
      })
  }

  private func listResponse(
    _ r: ResourceDefinition, _ result: ListResult, output: Negotiation.Output
  ) -> HTTPResponse {
    if output == .table {
      let objects = result.items.map(\.object)
      return Responses.object(
        TableConverter.table(
          r, objects: objects, revision: result.revision, continueToken: result.continueToken),
        output: .json)
    }
    return Responses.list(r, result, output: output)
  }

  // MARK: Delete

  private func delete(
    _ request: HTTPRequest, _ r: ResourceDefinition, namespace: String, name: String,
    output: Negotiation.Output, user: UserInfo
  )
    throws(APIError) -> HTTPResponse
  {
    let options = try Query.deleteOptions(request, user: user)
    let isNamespace = r.group.isEmpty && r.plural == "namespaces"
    switch try registry.delete(r, namespace: namespace, name: name, options: options) {
    case .deleted(let object):
      if isNamespace { return Responses.object(object.bytes, output: output) }
      return Responses.object(Responses.deleteSuccess(r, object), output: output)
    case .pending(let result):
      return Responses.object(result.bytes, output: output)
    case .dryRun(let value):
      return Responses.object(value.serialized(), output: output)
    }
  }
}

/// Limits and timings of the API tier.
public struct APILimits: Sendable {
  /// How long a list waits for a resourceVersion the store has not reached (then 504).
  public var tooLargeResourceVersionWait: DispatchTimeInterval = .seconds(3)
  /// Watches without `timeoutSeconds` end after a random time in [min, 2*min] (kube: 30–60 min).
  public var minWatchTimeoutSeconds = 1800
  public init() {}
}

#if canImport(Glibc)
  import Glibc
#endif
