package io.vminfo.manta;

import java.util.List;
import java.util.Objects;

/**
 * One page of a listing, as Manta sent it (the first entry may repeat the marker, which is
 * inclusive). {@code resultSetSize} is the number of entries in the whole directory.
 */
public record MantaListPage(List<MantaEntry> entries, long resultSetSize) {
  public MantaListPage {
    entries = List.copyOf(Objects.requireNonNull(entries, "entries"));
  }
}
