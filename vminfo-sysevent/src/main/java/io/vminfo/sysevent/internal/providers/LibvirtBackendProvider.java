package io.vminfo.sysevent.internal.providers;

import io.vminfo.core.VmSource;
import io.vminfo.sysevent.BackendParts;
import io.vminfo.sysevent.BackendProvider;
import io.vminfo.sysevent.BackendRequest;
import io.vminfo.sysevent.BackendSetting;
import io.vminfo.sysevent.Detection;
import io.vminfo.sysevent.LibvirtActions;
import io.vminfo.sysevent.LibvirtSource;
import io.vminfo.sysevent.LibvirtUsageProbe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code libvirt}: a host with {@code <root>/etc/libvirt/qemu} or {@code <root>/run/libvirt/qemu}
 * (DESIGN section 6). Its guest actions go through libvirt's client library or virsh, as {@code
 * actions.libvirt_transport} says.
 */
public final class LibvirtBackendProvider implements BackendProvider {
  public static final String NAME = "libvirt";
  static final BackendSetting URI =
      BackendSetting.text(
          "actions.libvirt_uri", "qemu:///system", "libvirt connection URI for guest actions");
  static final BackendSetting TRANSPORT =
      BackendSetting.choice(
          "actions.libvirt_transport",
          "auto",
          List.of("auto", "library", "virsh"),
          "how libvirt guest actions are made: libvirt's client library libvirt.so.0 (through"
              + " JNR-FFI), the virsh command, or auto (the library where it loads, else virsh)");
  private static final List<String> DIRS = List.of("etc/libvirt/qemu", "run/libvirt/qemu");
  private static final Logger log = LoggerFactory.getLogger(LibvirtBackendProvider.class);

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int detectionOrder() {
    return 200;
  }

  @Override
  public List<BackendSetting> settings() {
    return List.of(URI, TRANSPORT);
  }

  @Override
  public Detection detect(Path hostRoot) {
    for (String dir : DIRS) {
      Path p = hostRoot.resolve(dir);
      if (Files.isDirectory(p)) {
        return Detection.found(p + " exists");
      }
    }
    return Detection.absent(
        "neither " + hostRoot.resolve(DIRS.get(0)) + " nor " + hostRoot.resolve(DIRS.get(1)));
  }

  @Override
  public VmSource source(BackendRequest request) throws IOException {
    return LibvirtSource.builder(request.fallbackServerUuid()).hostRoot(request.hostRoot()).build();
  }

  @Override
  public BackendParts create(BackendRequest request) throws IOException {
    return new BackendParts(
        source(request),
        LibvirtUsageProbe.builder().hostRoot(request.hostRoot()).build(),
        actions(request));
  }

  private static LibvirtActions actions(BackendRequest request) throws IOException {
    String uri = request.setting(URI);
    LibvirtActions actions =
        switch (request.setting(TRANSPORT)) {
          case "library" ->
              LibvirtActions.viaLibrary(uri)
                  .orElseThrow(
                      () ->
                          new IOException(
                              TRANSPORT.key() + " is library, but libvirt.so.0 cannot be loaded"));
          case "virsh" -> LibvirtActions.viaVirsh(request.hostRoot(), uri);
          default -> LibvirtActions.best(request.hostRoot(), uri);
        };
    if (request.actionsEnabled()) {
      log.info("guest actions through {}", actions.transport());
    }
    return actions;
  }
}
