/**
 * A client of the vminfo agent's HTTP API (DESIGN section 5), on the JDK {@code HttpClient} only.
 *
 * <ul>
 *   <li>{@link io.vminfo.core.client.VminfoClient}: {@code ping}, {@code status}, {@code vms}
 *       (server-side filters, projection), {@code vm} by uuid or zonename; errors are typed ({@link
 *       io.vminfo.core.client.VminfoNotFoundException}, {@link
 *       io.vminfo.core.client.VminfoApiException} with status and code, {@link
 *       io.vminfo.core.client.VminfoTimeoutException}); every call has a timeout.
 *   <li>{@link io.vminfo.core.client.EventStream}: {@code GET /events} that reconnects with capped
 *       exponential backoff with jitter ({@code io.vminfo.core.concurrent.Backoff}) and resumes
 *       with {@code since} + {@code epoch}. The listener's {@code onReady} always means "replace
 *       your state" (first snapshot, or a {@code resync}); events are checked to be consecutive
 *       (unfiltered streams), so a gap makes the stream reconnect from the last good revision
 *       instead of passing it on. A stream silent for three heartbeats is replaced.
 *   <li>{@link io.vminfo.core.client.VminfoClient#watchForEvent watchForEvent} and {@link
 *       io.vminfo.core.client.VminfoClient#watchForChanges watchForChanges}: vminfod's client.js
 *       semantics ({@link io.vminfo.core.client.EventPattern} subset match, {@link
 *       io.vminfo.core.client.ChangeExpectation} AND of OR groups with {@code null} path
 *       wildcards), armed before they return so the caller can then cause the change, with
 *       timeouts, and failing with {@link io.vminfo.core.client.VminfoEventsLostException} when the
 *       agent could only resync.
 * </ul>
 */
package io.vminfo.core.client;
