import APIMachinery
import Dispatch
import JSON
import Store
import Synchronization

/// The CSR controllers of the hub, on one in-process CSR informer: OCM's approving controller
/// (`CSRApprover`) for requests that are neither approved nor denied, and the CA signer
/// (`CertificateSigner`) for approved requests without a certificate. Each event costs a
/// look at the conditions and at most two enqueues; the controllers read the current object.
public final class CertificateControllers: Sendable {
  public let approver: Controller
  public let signer: Controller
  private let registry: Registry
  private let informerQueue = DispatchQueue(label: "its.hub.csr-informer")
  private let informer = Mutex<ResourceInformer?>(nil)

  /// `authority`: the itsd CA (loaded on first use); `autoApprovalUsers`: requesters whose
  /// cluster CSRs are approved without an admin (`--auto-accept`; empty: none).
  public init(
    registry: Registry, authority: CertificateAuthorityProvider,
    autoApprovalUsers: Set<String> = [], log: (@Sendable (String) -> Void)? = nil
  ) {
    self.registry = registry
    let approving = CSRApprover(registry: registry, autoApprovalUsers: autoApprovalUsers)
    approver = Controller(
      name: "csr-approving-controller", log: log, reconcile: approving.reconcile)
    let signing = CertificateSigner(registry: registry, authority: authority)
    signer = Controller(name: "csrsigning-controller", log: log, reconcile: signing.reconcile)
  }

  /// Starts the informer (existing CSRs are looked at once).
  public func start() {
    let approver = self.approver
    let signer = self.signer
    let started = ResourceInformer(
      store: registry.store, resource: CertificateSigningRequests.definition.resourceKey,
      queue: informerQueue
    ) { frame in
      guard frame.type != .deleted, let object = frame.object else { return }
      let csr = object.object
      if !CSRApprover.isTerminal(csr) { approver.enqueue(object.name) }
      if CertificateSigner.isReadyToSign(csr) { signer.enqueue(object.name) }
    }
    informer.withLock { $0 = started }
    started.start()
  }

  /// The CSR `name`, or nil when it is gone.
  static func current(_ registry: Registry, _ name: String) throws(APIError) -> JSONValue? {
    do {
      return try registry.get(CertificateSigningRequests.definition, namespace: "", name: name)
        .object
    } catch {
      if error.code == 404 { return nil }
      throw error
    }
  }

  public func stop() {
    informer.withLock { $0 }?.stop()
    approver.stop()
    signer.stop()
  }
}
