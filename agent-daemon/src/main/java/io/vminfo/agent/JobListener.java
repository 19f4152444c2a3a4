package io.vminfo.agent;

/**
 * Told when a guest action starts and ends (e.g. so alarms can expect the transitions an action
 * asked for). Called on the job's own thread; keep it quick and do not throw: a listener that
 * throws is logged and the job goes on.
 */
public interface JobListener {
  void jobStarted(Job job);

  void jobFinished(Job job);

  JobListener NONE =
      new JobListener() {
        @Override
        public void jobStarted(Job job) {}

        @Override
        public void jobFinished(Job job) {}
      };
}
