package io.vminfo.manta.emulator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The emulator's namespace. Object bytes live at {@code root/<login>/stor/...} (the same tree a
 * human sees), metadata in one JSON file per entry under {@code root/.meta} and an in-memory index
 * rebuilt from it at start. Uploads land in {@code root/.tmp} and are renamed into place, so a
 * reader never sees a partial object and a failed upload leaves nothing behind.
 *
 * <p>In the metadata tree a directory {@code x} is {@code dx} and an entry's metadata file is
 * {@code mx}: the prefixes keep a directory and a file of the same name apart.
 */
public final class Store {
  private static final Logger LOG = LoggerFactory.getLogger(Store.class);

  /** Manta's birthday, the mtime muskie reports for account and storage roots. */
  static final Instant ROOT_MTIME = Instant.parse("2013-05-22T17:39:43.714Z");

  private final Path root;
  private final Path metaRoot;
  private final Path tmp;
  private final ObjectMapper json = new ObjectMapper();
  private final java.util.concurrent.atomic.AtomicLong uploads =
      new java.util.concurrent.atomic.AtomicLong(System.nanoTime());

  /** Children of every directory that exists, by the directory's path. */
  private final Map<String, NavigableMap<String, Entry>> dirs = new ConcurrentHashMap<>();

  public Store(Path root) {
    this.root = root.toAbsolutePath().normalize();
    this.metaRoot = this.root.resolve(".meta");
    this.tmp = this.root.resolve(".tmp");
    try {
      Files.createDirectories(metaRoot);
      Files.createDirectories(tmp);
      try (Stream<Path> stale = Files.list(tmp)) {
        for (Iterator<Path> it = stale.iterator(); it.hasNext(); ) {
          Files.deleteIfExists(it.next());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare emulator root " + root, e);
    }
    load();
  }

  public Path root() {
    return root;
  }

  /** Makes the storage roots of a login exist (they always do in Manta). */
  public synchronized void addLogin(String login) {
    for (String top : ManPath.STORAGE_ROOTS) {
      ManPath p = ManPath.of("/" + login + "/" + top);
      dirs.computeIfAbsent(p.toString(), k -> new ConcurrentSkipListMap<>());
      try {
        Files.createDirectories(dataPath(p));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  Optional<Entry> get(ManPath p) {
    if (p.isAccountRoot() || p.isStorageRoot()) {
      return dirs.containsKey(p.toString()) || p.isAccountRoot()
          ? Optional.of(Entry.directory(p.name(), ROOT_MTIME, Map.of()))
          : Optional.empty();
    }
    NavigableMap<String, Entry> siblings = dirs.get(p.parent().toString());
    return siblings == null ? Optional.empty() : Optional.ofNullable(siblings.get(p.name()));
  }

  Collection<Entry> children(ManPath dir) {
    NavigableMap<String, Entry> c = dirs.get(dir.toString());
    return c == null ? List.of() : c.values();
  }

  NavigableMap<String, Entry> childMap(ManPath dir) {
    NavigableMap<String, Entry> c = dirs.get(dir.toString());
    return c == null ? new ConcurrentSkipListMap<>() : c;
  }

  int count(ManPath dir) {
    NavigableMap<String, Entry> c = dirs.get(dir.toString());
    return c == null ? 0 : c.size();
  }

  Path dataPath(ManPath p) {
    Path out = root;
    for (String s : p.segments()) {
      out = out.resolve(s);
    }
    return out;
  }

  Path newTempFile() throws IOException {
    // A counter, not createTempFile's SecureRandom names: this is on every upload's path.
    Path p = tmp.resolve("upload-" + uploads.incrementAndGet() + ".part");
    Files.newByteChannel(
            p, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)
        .close();
    return p;
  }

  /** Creates or updates a directory; returns the entry that was there before, if any. */
  synchronized Optional<Entry> putDirectory(ManPath p, Map<String, String> headers, Instant now) {
    checkParent(p);
    Optional<Entry> previous = get(p);
    if (previous.isPresent()
        && previous.get().directory()
        && previous.get().headers().equals(headers)) {
      return previous; // muskie treats an identical re-PUT as a no-op
    }
    try {
      Path data = dataPath(p);
      if (previous.isPresent() && !previous.get().directory()) {
        Files.deleteIfExists(data);
      }
      Files.createDirectories(data);
      Entry e = Entry.directory(p.name(), now, headers);
      writeMeta(p, e);
      siblings(p).put(p.name(), e);
      dirs.computeIfAbsent(p.toString(), k -> new ConcurrentSkipListMap<>());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return previous;
  }

  /** Moves a finished upload into place. The caller checked everything but the parent race. */
  synchronized Entry commitObject(ManPath p, Path upload, Entry entry) {
    checkParent(p);
    Optional<Entry> existing = get(p);
    if (existing.isPresent() && existing.get().directory()) {
      throw MantaError.directoryOperation("PUT", p.toString());
    }
    try {
      move(upload, dataPath(p));
      writeMeta(p, entry);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    siblings(p).put(p.name(), entry);
    return entry;
  }

  /**
   * Replaces an entry's metadata, unless it was replaced or removed since {@code expected} was
   * read.
   */
  synchronized void updateMetadata(ManPath p, Entry expected, Entry updated) {
    Optional<Entry> current = get(p);
    if (current.isEmpty() || !current.get().equals(expected)) {
      throw new MantaError(409, "ConcurrentRequest", p + " changed during the metadata update");
    }
    try {
      writeMeta(p, updated);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    siblings(p).put(p.name(), updated);
  }

  synchronized Entry link(
      ManPath target, ManPath source, Entry sourceEntry, Map<String, String> headers, Instant now) {
    checkParent(target);
    Optional<Entry> existing = get(target);
    if (existing.isPresent() && existing.get().directory()) {
      throw MantaError.directoryOperation("PUT", target.toString());
    }
    Entry e =
        new Entry(
            target.name(),
            false,
            now,
            sourceEntry.etag(),
            sourceEntry.size(),
            sourceEntry.contentMd5(),
            sourceEntry.contentType(),
            sourceEntry.durability(),
            headers);
    try {
      Path staged = newTempFile();
      Files.delete(staged);
      try {
        Files.createLink(staged, dataPath(source));
      } catch (UnsupportedOperationException | IOException linkFailed) {
        Files.copy(dataPath(source), staged);
      }
      move(staged, dataPath(target));
      writeMeta(target, e);
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    siblings(target).put(target.name(), e);
    return e;
  }

  synchronized void delete(ManPath p, Entry entry) {
    try {
      if (entry.directory()) {
        if (count(p) > 0) {
          throw new MantaError(400, "DirectoryNotEmpty", p + " is not empty");
        }
        dirs.remove(p.toString());
        deleteTree(metaDir(p));
        Files.deleteIfExists(dataPath(p));
      } else {
        Files.deleteIfExists(dataPath(p));
      }
      Files.deleteIfExists(metaFile(p));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    NavigableMap<String, Entry> s = dirs.get(p.parent().toString());
    if (s != null) {
      s.remove(p.name());
    }
  }

  void checkParent(ManPath p) {
    ManPath parent = p.parent();
    if (parent.isAccountRoot()) {
      throw MantaError.rootDirectory("PUT", p.toString());
    }
    Optional<Entry> pe = get(parent);
    if (pe.isEmpty()) {
      throw MantaError.directoryDoesNotExist(p.toString());
    }
    if (!pe.get().directory()) {
      throw MantaError.parentNotDirectory(p.toString());
    }
  }

  private NavigableMap<String, Entry> siblings(ManPath p) {
    return dirs.computeIfAbsent(p.parent().toString(), k -> new ConcurrentSkipListMap<>());
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private Path metaDir(ManPath p) {
    Path out = metaRoot;
    for (String s : p.segments()) {
      out = out.resolve("d" + s);
    }
    return out;
  }

  private Path metaFile(ManPath p) {
    return metaDir(p.parent()).resolve("m" + p.name());
  }

  private void writeMeta(ManPath p, Entry e) throws IOException {
    ObjectNode n = json.createObjectNode();
    n.put("type", e.directory() ? "directory" : "object");
    n.put("mtime", e.mtime().toEpochMilli());
    if (!e.directory()) {
      n.put("etag", e.etag());
      n.put("size", e.size());
      n.put("contentMD5", e.contentMd5());
      n.put("contentType", e.contentType());
      n.put("durability", e.durability());
    }
    ObjectNode h = n.putObject("headers");
    e.headers().forEach(h::put);
    Path file = metaFile(p);
    if (!Files.isDirectory(file.getParent())) {
      Files.createDirectories(file.getParent());
    }
    // Written in place: a torn metadata file (crash mid-write) is reported and skipped at load.
    Files.write(file, json.writeValueAsBytes(n));
  }

  private void load() {
    int[] loaded = {0};
    try (Stream<Path> files = Files.walk(metaRoot)) {
      files
          .filter(Files::isRegularFile)
          .forEach(
              f -> {
                String fn = f.getFileName().toString();
                if (!fn.startsWith("m")) {
                  return;
                }
                Path rel = metaRoot.relativize(f);
                StringBuilder path = new StringBuilder();
                for (int i = 0; i < rel.getNameCount() - 1; i++) {
                  path.append('/').append(rel.getName(i).toString().substring(1));
                }
                path.append('/').append(fn.substring(1));
                ManPath p = ManPath.of(path.toString());
                try {
                  JsonNode n = json.readTree(f.toFile());
                  Entry e = readEntry(p.name(), n);
                  if (!e.directory() && !Files.isRegularFile(dataPath(p))) {
                    LOG.warn("emulator: {} has metadata but no data file; ignored", p);
                    return;
                  }
                  siblings(p).put(p.name(), e);
                  if (e.directory()) {
                    dirs.computeIfAbsent(p.toString(), k -> new ConcurrentSkipListMap<>());
                  }
                  loaded[0]++;
                } catch (IOException | RuntimeException ex) {
                  LOG.warn("emulator: unreadable metadata {}: {}", f, ex.toString());
                }
              });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (loaded[0] > 0) {
      LOG.info("emulator: loaded {} entries from {}", loaded[0], root);
    }
  }

  private static Entry readEntry(String name, JsonNode n) {
    Map<String, String> headers = new LinkedHashMap<>();
    n.path("headers").properties().forEach(f -> headers.put(f.getKey(), f.getValue().asText()));
    Instant mtime = Instant.ofEpochMilli(n.path("mtime").asLong());
    if ("directory".equals(n.path("type").asText())) {
      return Entry.directory(name, mtime, headers);
    }
    return new Entry(
        name,
        false,
        mtime,
        n.path("etag").asText(),
        n.path("size").asLong(),
        n.path("contentMD5").asText(),
        n.path("contentType").asText(),
        n.path("durability").asInt(2),
        headers);
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    List<Path> all = new ArrayList<>();
    try (Stream<Path> s = Files.walk(dir)) {
      s.forEach(all::add);
    }
    for (int i = all.size() - 1; i >= 0; i--) {
      Files.deleteIfExists(all.get(i));
    }
  }
}
