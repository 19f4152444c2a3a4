package io.vminfo.manta.emulator.internal;

import io.vminfo.manta.emulator.Faults;
import java.time.Clock;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** What every connection handler shares. */
public record EmulatorContext(
    Store store,
    Accounts accounts,
    SignatureVerifier verifier,
    Clock clock,
    String serverName,
    Supplier<Faults.Decision> faults,
    Consumer<RequestRecord> recorder,
    long maxStreamingSize) {}
