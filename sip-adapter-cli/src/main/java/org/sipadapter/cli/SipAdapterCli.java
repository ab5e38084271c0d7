package org.sipadapter.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code sipadapter} command: an embedded demo that needs no configuration, and call control,
 * events, health, call records and load runs against real servers described in a YAML file.
 *
 * <p>Run it with {@code ./sipadapter} at the repository root, {@code java -jar
 * sip-adapter-cli-<version>-all.jar}, or in code with {@link #execute(PrintWriter, PrintWriter,
 * String...)}.
 */
@Command(
    name = "sipadapter",
    mixinStandardHelpOptions = true,
    versionProvider = SipAdapterCli.Version.class,
    sortOptions = false,
    header = "Control calls on Asterisk, FreeSWITCH, Kamailio, OpenSIPS, Yate, pjsua2 and SIPp.",
    description = {
      "Start with 'sipadapter demo': it needs no configuration.",
      "The other commands talk to the servers of a YAML file given with -c."
    },
    subcommands = {
      DemoCommand.class,
      CallCommand.class,
      HangupCommand.class,
      CallsCommand.class,
      WatchCommand.class,
      HealthCommand.class,
      CdrCommand.class,
      LoadCommand.class,
      CommandLine.HelpCommand.class
    })
public final class SipAdapterCli implements Runnable {

  @Spec CommandSpec spec;

  @Option(
      names = {"-v", "--verbose"},
      scope = CommandLine.ScopeType.INHERIT,
      description = "Log the SDK's lifecycle and wire traffic (secrets masked) to standard error.")
  boolean verbose;

  private Console console;

  /** Creates the command. Use {@link #execute(PrintWriter, PrintWriter, String...)} to run it. */
  public SipAdapterCli() {}

  /**
   * Runs the command line and exits the JVM with its exit code.
   *
   * @param args the arguments
   */
  public static void main(String[] args) {
    for (String a : args) {
      if (a.equals("-v") || a.equals("--verbose")) {
        System.setProperty("sipadapter.log.level", "DEBUG");
      }
    }
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    System.exit(newCommandLine(out, err, System.console() != null).execute(args));
  }

  /**
   * Runs the command line in this JVM.
   *
   * @param out where results go (standard output)
   * @param err where progress, errors and help for bad usage go (standard error)
   * @param args the arguments
   * @return the exit code, one of {@link ExitCodes}
   */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    return newCommandLine(out, err, false).execute(args);
  }

  static CommandLine newCommandLine(PrintWriter out, PrintWriter err, boolean terminal) {
    SipAdapterCli root = new SipAdapterCli();
    root.console = new Console(out, err, new Redactor(), terminal);
    CommandLine cl = new CommandLine(root);
    cl.setOut(out);
    cl.setErr(err);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          Failures.Failure f = Failures.describe(e);
          root.console.err("error: " + f.message());
          if (f.hint() != null) {
            root.console.err("hint: " + f.hint());
          }
          return f.exitCode();
        });
    cl.setParameterExceptionHandler(
        (e, args) -> {
          CommandLine c = e.getCommandLine();
          root.console.err("error: " + e.getMessage());
          root.console.err("hint: 'sipadapter " + subcommandPath(c) + "--help' shows the options");
          return ExitCodes.USAGE;
        });
    Map<String, String> codes = new LinkedHashMap<>();
    for (String line : ExitCodes.HELP) {
      int colon = line.indexOf(':');
      codes.put(line.substring(0, colon), line.substring(colon + 1));
    }
    applyExitCodes(cl, codes);
    return cl;
  }

  private static String subcommandPath(CommandLine c) {
    StringBuilder sb = new StringBuilder();
    for (CommandLine p = c; p != null && p.getParent() != null; p = p.getParent()) {
      sb.insert(0, p.getCommandName() + " ");
    }
    return sb.toString();
  }

  private static void applyExitCodes(CommandLine cl, Map<String, String> codes) {
    cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(codes);
    cl.getSubcommands().values().forEach(sub -> applyExitCodes(sub, codes));
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
    throw new CommandLine.ParameterException(
        spec.commandLine(), "a command is required (try 'sipadapter demo')");
  }

  Console console() {
    return console;
  }

  /** Reads the version from the properties written at build time. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties p = new Properties();
      try (InputStream in = SipAdapterCli.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          p.load(in);
        }
      }
      return new String[] {
        "sipadapter " + p.getProperty("version", "unknown"),
        "Java "
            + System.getProperty("java.version")
            + " ("
            + System.getProperty("java.vendor")
            + ")"
      };
    }
  }
}
