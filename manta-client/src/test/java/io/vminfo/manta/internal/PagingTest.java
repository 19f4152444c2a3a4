package io.vminfo.manta.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vminfo.manta.ListOptions;
import io.vminfo.manta.MantaEntry;
import io.vminfo.manta.MantaException;
import io.vminfo.manta.MantaListPage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Manta's inclusive markers, page by page, without a server. */
class PagingTest {
  private static final Instant T = Instant.parse("2026-11-22T10:00:00.123Z");

  private static MantaEntry entry(String name, Instant mtime) {
    return new MantaEntry(
        name,
        false,
        1,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        mtime,
        OptionalInt.empty());
  }

  private static MantaListPage page(int from, int to, Instant mtime) {
    return new MantaListPage(
        IntStream.range(from, to).mapToObj(i -> entry(String.format("f%04d", i), mtime)).toList(),
        -1);
  }

  @Test
  void byNameTheNextPageStartsAtTheLastNameWhichIsNotReturnedTwice() {
    List<MantaEntry> into = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    ListOptions first = ListOptions.defaults().withLimit(3);
    Optional<ListOptions> next = Paging.next(first, page(0, 3, T), into, seen);
    assertThat(next).contains(first.withMarker("f0002"));
    next = Paging.next(next.get(), page(2, 4, T), into, seen);
    assertThat(next).isEmpty();
    assertThat(into)
        .extracting(MantaEntry::name)
        .containsExactly("f0000", "f0001", "f0002", "f0003");
  }

  @Test
  void byMtimeAFullPageAtTheMarkerWidensThePageThenFailsClearlyAtTheMaximum() {
    List<MantaEntry> into = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    ListOptions first = ListOptions.defaults().withLimit(5).sortedByMtime();
    Optional<ListOptions> next = Paging.next(first, page(0, 5, T), into, seen);
    assertThat(next).contains(first.withMarker(T.toString()));
    // The same marker gives the same full page: widen it rather than stop short.
    next = Paging.next(next.get(), page(0, 5, T), into, seen);
    assertThat(next.map(ListOptions::limit)).contains(ListOptions.MAX_LIMIT);
    assertThat(into).hasSize(5);

    ListOptions widest = next.get();
    assertThatThrownBy(() -> Paging.next(widest, page(0, ListOptions.MAX_LIMIT, T), into, seen))
        .isInstanceOfSatisfying(
            MantaException.class,
            e -> {
              assertThat(e.code()).isEqualTo(MantaException.CANNOT_PAGE);
              assertThat(e.getMessage()).contains("share the mtime " + T).contains("list by name");
            });
  }

  @Test
  void aHostileEntryIsABadResponseAndADuplicateKeyKeepsTheLastAsNodeManta() {
    String deep =
        "{\"name\":\"x\",\"type\":\"object\",\"k\":" + "[".repeat(200) + "]".repeat(200) + "}";
    assertThatThrownBy(
            () ->
                Paging.parseEntries(
                    (deep + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8), "req-1"))
        .isInstanceOf(MantaException.class)
        .satisfies(
            e -> assertThat(((MantaException) e).code()).isEqualTo(MantaException.BAD_RESPONSE))
        .hasMessageContaining("nesting");
    List<MantaEntry> entries =
        Paging.parseEntries(
            "{\"name\":\"a\",\"name\":\"b\",\"type\":\"object\"}\n"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8),
            "req-2");
    assertThat(entries).extracting(MantaEntry::name).containsExactly("b");
  }
}
