package io.vminfo.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bash completion script the build generates: valid bash that completes vminfo's words. */
class CompletionScriptTest {
  @TempDir Path dir;

  static boolean hasBash() {
    return Files.isExecutable(Path.of("/bin/bash"));
  }

  String complete(Path script, String line) throws Exception {
    // What bash does on TAB: COMP_WORDS/COMP_CWORD for the line, then the function for vminfo.
    String words = line.endsWith(" ") ? line + "''" : line;
    String program =
        "source "
            + script
            + "\n"
            + "COMP_WORDS=("
            + words
            + "); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ));"
            + " COMP_LINE='"
            + line
            + "'; COMP_POINT=${#COMP_LINE};\n"
            + "_complete_vminfo vminfo \"${COMP_WORDS[COMP_CWORD]}\" >/dev/null 2>&1;"
            + " printf '%s\\n' \"${COMPREPLY[@]}\" | sort\n";
    Process p =
        new ProcessBuilder("/bin/bash", "--norc", "--noprofile", "-c", program)
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  @Test
  void generatedScriptIsBashAndCompletesCommandsAndOptions() throws Exception {
    assumeTrue(hasBash(), "SKIPPED: no /bin/bash to run the completion script");
    Path script = dir.resolve("completion/vminfo_completion");
    CompletionScript.main(new String[] {script.toString()});
    assertThat(script).exists();
    Process check =
        new ProcessBuilder("/bin/bash", "-n", script.toString()).redirectErrorStream(true).start();
    assertThat(check.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(check.exitValue()).as(new String(check.getInputStream().readAllBytes())).isZero();

    assertThat(complete(script, "vminfo ev")).isEqualTo("events\n");
    assertThat(complete(script, "vminfo manta "))
        .contains("ls\n", "get\n", "put\n", "mkdir\n", "rm\n", "info\n");
    assertThat(complete(script, "vminfo usage v")).isEqualTo("verify\n");
    assertThat(complete(script, "vminfo wait x --ti")).isEqualTo("--timeout\n");
    // The installed backend providers, here with the tests' own (fixture).
    assertThat(complete(script, "vminfo inspect --backend "))
        .isEqualTo("example\nfixture\nlibvirt\nsmartos\n");
  }
}
