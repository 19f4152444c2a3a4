package io.vminfo.agent.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vminfo.agent.Job;
import io.vminfo.core.GuestAction;
import io.vminfo.core.Vm;
import io.vminfo.core.VmStore;
import io.vminfo.core.internal.Json;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write routes (served only with {@code actions.enabled}): {@code POST /vms/{id}/{action}}
 * answers 202 with {@code X-Guest-Job-ID} and the job; {@code GET /jobs}, {@code /jobs/{id}} and
 * {@code /vms/{id}/jobs} read the job log.
 */
public final class JobsApi {
  private static final Logger log = LoggerFactory.getLogger(JobsApi.class);
  public static final String JOB_ID_HEADER = "X-Guest-Job-ID";

  private final JobManager jobs;
  private final VmStore store;
  private final WriteAccess writers;

  public JobsApi(JobManager jobs, VmStore store, WriteAccess writers) {
    this.jobs = jobs;
    this.store = store;
    this.writers = writers;
  }

  /** Who asked for a write, or a refusal (see {@link WriteAccess#authorize}). */
  public String authorize(
      io.netty.handler.codec.http.HttpRequest request, java.net.SocketAddress remote)
      throws ApiError {
    return writers.authorize(request, remote);
  }

  /** {@code POST /vms/{id}/{action}}. */
  public FullHttpResponse submit(RequestTarget t, String id, String actionName, String requester)
      throws ApiError {
    t.allowOnly(Set.of());
    GuestAction action;
    try {
      action = GuestAction.fromWireName(actionName);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(RequestTarget.shorten(e.getMessage()));
    }
    Vm vm = VmLookup.resolve(store, id);
    Job job;
    try {
      job = jobs.submit(vm.uuid(), action, requester);
    } catch (JobManager.Rejected e) {
      if (e.tooMany()) {
        throw new ApiError(HttpResponseStatus.TOO_MANY_REQUESTS, "TooManyRequests", e.getMessage());
      }
      throw new ApiError(HttpResponseStatus.CONFLICT, "NotSupported", e.getMessage());
    } catch (IOException e) {
      log.error(
          "job log write failed; {} of {} refused: {}", action.wireName(), vm.uuid(), e.toString());
      throw ApiError.unavailable("the job log cannot be written: " + e.getMessage());
    }
    FullHttpResponse r = Responses.json(HttpResponseStatus.ACCEPTED, JobLog.toJson(job));
    r.headers().set(JOB_ID_HEADER, job.id());
    return r;
  }

  /** {@code GET /jobs}. */
  public FullHttpResponse list(RequestTarget t) throws ApiError {
    t.allowOnly(Set.of());
    return Responses.json(
        HttpResponseStatus.OK, Unpooled.wrappedBuffer(Json.bytes(array(jobs.jobs()))));
  }

  /** {@code GET /jobs/{id}}. */
  public FullHttpResponse job(RequestTarget t, String id) throws ApiError {
    t.allowOnly(Set.of());
    Optional<Job> j = jobs.job(id.toLowerCase(Locale.ROOT));
    if (j.isEmpty()) {
      throw ApiError.notFound("Job Not Found: " + RequestTarget.shorten(id));
    }
    return Responses.json(HttpResponseStatus.OK, JobLog.toJson(j.get()));
  }

  /** {@code GET /vms/{id}/jobs}. */
  public FullHttpResponse ofVm(RequestTarget t, String id) throws ApiError {
    t.allowOnly(Set.of());
    Vm vm = VmLookup.resolve(store, id);
    return Responses.json(
        HttpResponseStatus.OK, Unpooled.wrappedBuffer(Json.bytes(array(jobs.jobsOf(vm.uuid())))));
  }

  private static ArrayNode array(List<Job> list) {
    ArrayNode a = Json.NODES.arrayNode(list.size());
    for (Job j : list) {
      a.add(JobLog.toJson(j));
    }
    return a;
  }
}
