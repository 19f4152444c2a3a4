package io.vminfo.agent.internal;

import io.vminfo.core.Vm;
import io.vminfo.core.VmStore;
import io.vminfo.core.text.Uuids;
import java.util.Locale;
import java.util.Optional;

/**
 * Resolves the {@code {uuid|zonename}} of a route to a VM the way vminfod does: uuid first, then
 * zonename, a UUID written in upper case found too; a 400 for an over-long id, a 404 otherwise.
 */
final class VmLookup {
  static final int MAX_ID_LENGTH = 256;

  private VmLookup() {}

  static Vm resolve(VmStore store, String id) throws ApiError {
    if (id.length() > MAX_ID_LENGTH) {
      throw ApiError.badRequest("VM id longer than " + MAX_ID_LENGTH + " characters");
    }
    Optional<Vm> vm = store.find(id);
    if (vm.isEmpty() && Uuids.isUuid(id)) {
      vm = store.get(id.toLowerCase(Locale.ROOT));
    }
    return vm.orElseThrow(() -> ApiError.notFound("VM Not Found: " + RequestTarget.shorten(id)));
  }
}
