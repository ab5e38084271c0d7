/**
 * The {@code sipadapter} command line. An application, not a library: it exports nothing. Its
 * commands are open to picocli, which reads their options reflectively.
 */
module org.sipadapter.cli {
  requires org.sipadapter.core;
  requires org.sipadapter.asterisk;
  requires org.sipadapter.freeswitch;
  requires org.sipadapter.kamailio;
  requires org.sipadapter.opensips;
  requires org.sipadapter.yate;
  requires org.sipadapter.pjsua;
  requires org.sipadapter.sipp;
  requires org.sipadapter.testkit;
  requires info.picocli;
  requires com.fasterxml.jackson.databind;
  requires org.yaml.snakeyaml;
  requires org.slf4j;

  opens org.sipadapter.cli to
      info.picocli;
  opens org.sipadapter.cli.demo to
      info.picocli;

  uses org.sipadapter.cli.demo.DemoTarget;

  provides org.sipadapter.cli.demo.DemoTarget with
      org.sipadapter.cli.demo.AsteriskTarget,
      org.sipadapter.cli.demo.FreeSwitchTarget,
      org.sipadapter.cli.demo.YateTarget,
      org.sipadapter.cli.demo.PjsuaTarget,
      org.sipadapter.cli.demo.KamailioTarget,
      org.sipadapter.cli.demo.OpenSipsTarget,
      org.sipadapter.cli.demo.SippTarget;
}
