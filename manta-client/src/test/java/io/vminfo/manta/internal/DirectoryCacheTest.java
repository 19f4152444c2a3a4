package io.vminfo.manta.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DirectoryCacheTest {
  @Test
  void forgettingADirectoryForgetsItsSubtreeButNotItsNamesakes() {
    DirectoryCache c = new DirectoryCache(10);
    c.remember("/a/stor/x");
    c.remember("/a/stor/x/y");
    c.remember("/a/stor/xy");
    c.forget("/a/stor/x");
    assertThat(c.contains("/a/stor/x")).isFalse();
    assertThat(c.contains("/a/stor/x/y")).isFalse();
    assertThat(c.contains("/a/stor/xy")).isTrue();
  }

  @Test
  void theLeastRecentlyUsedGoesFirst() {
    DirectoryCache c = new DirectoryCache(2);
    c.remember("/a");
    c.remember("/b");
    assertThat(c.contains("/a")).isTrue(); // touches /a
    c.remember("/c");
    assertThat(c.contains("/a")).isTrue();
    assertThat(c.contains("/b")).isFalse();
    assertThat(c.contains("/c")).isTrue();
  }
}
