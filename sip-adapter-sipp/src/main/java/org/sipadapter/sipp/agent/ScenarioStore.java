package org.sipadapter.sipp.agent;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * The scenarios the agent can run: SIPp's {@code uac} and {@code uas}, the agent's own {@code
 * call}, {@code register} and {@code call_with_transfer}, and uploads.
 *
 * <p>An upload is stored only if it is well-formed XML whose root is {@code <scenario>} holding
 * SIPp's step elements, parsed with external entities and DTD loading off. Names are restricted to
 * {@code [A-Za-z0-9_-]{1,64}}, so a name can never reach outside the store's directory.
 * Thread-safe.
 */
public final class ScenarioStore {

  /** Names of scenarios and runs: letters, digits, underscore, dash; 1 to 64 characters. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /** The agent's one-call scenario that can be hung up through an in-dialog INFO. */
  public static final String CALL = "call";

  private static final Set<String> STEP_ELEMENTS =
      Set.of(
          "send",
          "recv",
          "pause",
          "nop",
          "label",
          "sendCmd",
          "recvCmd",
          "ResponseTimeRepartition",
          "CallLengthRepartition",
          "Reference",
          "Global",
          "User",
          "init");

  private final Path dir;
  private final int maxUploads;
  private final Map<String, Scenario> scenarios = new LinkedHashMap<>();

  /**
   * Creates the store in {@code dir} and installs the built-in scenario files there.
   *
   * @param dir a private directory
   * @param maxUploads how many uploads are kept
   */
  public ScenarioStore(Path dir, int maxUploads) {
    this.dir = dir;
    this.maxUploads = maxUploads;
    try {
      Files.createDirectories(dir);
      add(
          new Scenario(
              "uac",
              true,
              ScenarioRole.UAC,
              "SIPp built-in UAC: INVITE, ACK, pause, BYE",
              "uac",
              null));
      add(
          new Scenario(
              "uas",
              true,
              ScenarioRole.UAS,
              "SIPp built-in UAS: 180, 200, waits for BYE",
              "uas",
              null));
      add(builtInFile(CALL, ScenarioRole.UAC, "One call that stays up until either side hangs up"));
      add(builtInFile("register", ScenarioRole.UAC, "REGISTER [service] and expect 200"));
      add(
          builtInFile(
              "call_with_transfer",
              ScenarioRole.UAC,
              "Call, pause, REFER to transferTo, answer NOTIFY, BYE"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private synchronized void add(Scenario s) {
    scenarios.put(s.name(), s);
  }

  private Scenario builtInFile(String name, ScenarioRole role, String description)
      throws IOException {
    Path file = dir.resolve("builtin-" + name + ".xml");
    try (InputStream in = ScenarioStore.class.getResourceAsStream("scenarios/" + name + ".xml")) {
      if (in == null) {
        throw new IllegalStateException("missing built-in scenario resource " + name);
      }
      Files.write(file, in.readAllBytes());
    }
    return new Scenario(name, true, role, description, null, file);
  }

  /** All scenarios, built-ins first. */
  public synchronized List<Scenario> list() {
    return new ArrayList<>(scenarios.values());
  }

  /**
   * Looks a scenario up.
   *
   * @param name the name (not checked against {@link #NAME}; unknown names are simply absent)
   * @return the scenario, if known
   */
  public synchronized Optional<Scenario> find(String name) {
    return Optional.ofNullable(scenarios.get(name));
  }

  /**
   * Validates and stores an uploaded scenario, replacing an earlier upload of the same name.
   *
   * @param name the name; {@link #NAME}
   * @param xml the document bytes
   * @return the stored scenario
   * @throws ApiException 400 for a bad name or document, 409 for a built-in's name, 429 when the
   *     store is full
   */
  public Scenario upload(String name, byte[] xml) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new ApiException(400, "scenario name must match [A-Za-z0-9_-]{1,64}");
    }
    ScenarioRole role = validate(xml);
    synchronized (this) {
      Scenario existing = scenarios.get(name);
      if (existing != null && existing.builtIn()) {
        throw new ApiException(409, "'" + name + "' is a built-in scenario; choose another name");
      }
      long uploads = scenarios.values().stream().filter(s -> !s.builtIn()).count();
      if (existing == null && uploads >= maxUploads) {
        throw new ApiException(
            429, "scenario store is full (" + maxUploads + "); delete one first");
      }
      Path file = dir.resolve("upload-" + name + ".xml");
      try {
        Files.write(file, xml);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Scenario s =
          new Scenario(name, false, role, "uploaded (" + xml.length + " bytes)", null, file);
      scenarios.put(name, s);
      return s;
    }
  }

  /**
   * Deletes an uploaded scenario.
   *
   * @param name the name
   * @return whether it existed
   * @throws ApiException 409 for a built-in
   */
  public synchronized boolean delete(String name) {
    Scenario s = scenarios.get(name);
    if (s == null) {
      return false;
    }
    if (s.builtIn()) {
      throw new ApiException(409, "built-in scenarios cannot be deleted");
    }
    scenarios.remove(name);
    try {
      Files.deleteIfExists(s.file());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return true;
  }

  /**
   * Checks a scenario document and tells which side it plays.
   *
   * @param xml the bytes
   * @return UAC when the first message step is a send, UAS when it is a receive
   * @throws ApiException 400 with the parser's reason
   */
  static ScenarioRole validate(byte[] xml) {
    int start = 0;
    if (xml.length >= 3
        && (xml[0] & 0xff) == 0xef
        && (xml[1] & 0xff) == 0xbb
        && (xml[2] & 0xff) == 0xbf) {
      start = 3; // UTF-8 byte order mark
    }
    while (start < xml.length && Character.isWhitespace(xml[start])) {
      start++;
    }
    // SIPp's own parser refuses a document without the XML declaration
    if (!new String(xml, start, Math.min(5, xml.length - start), StandardCharsets.ISO_8859_1)
        .equals("<?xml")) {
      throw new ApiException(
          400, "scenario must start with an XML declaration (<?xml version=\"1.0\" ?>)");
    }
    Document doc;
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setFeature("http://xml.org/sax/features/external-general-entities", false);
      f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
      f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
      f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
      f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
      f.setXIncludeAware(false);
      f.setExpandEntityReferences(false);
      f.setNamespaceAware(false);
      DocumentBuilder builder = f.newDocumentBuilder();
      builder.setErrorHandler(new DefaultHandler());
      doc = builder.parse(new ByteArrayInputStream(xml));
    } catch (SAXException e) {
      throw new ApiException(400, "scenario is not well-formed XML: " + e.getMessage());
    } catch (ParserConfigurationException | IOException e) {
      throw new ApiException(400, "scenario cannot be read: " + e.getMessage());
    }
    Element root = doc.getDocumentElement();
    if (!"scenario".equals(root.getTagName())) {
      throw new ApiException(
          400, "root element must be <scenario>, was <" + root.getTagName() + ">");
    }
    ScenarioRole role = null;
    for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n.getNodeType() != Node.ELEMENT_NODE) {
        continue;
      }
      String tag = ((Element) n).getTagName();
      if (!STEP_ELEMENTS.contains(tag)) {
        throw new ApiException(400, "unknown scenario element <" + tag + ">");
      }
      Element step = (Element) n;
      // SIPp 3.6 hangs on an assertion, instead of exiting, for a <recv> that waits for nothing
      if (tag.equals("recv")
          && step.getAttribute("request").isEmpty()
          && step.getAttribute("response").isEmpty()
          && step.getAttribute("pause").isEmpty()) {
        throw new ApiException(400, "<recv> needs a request or response attribute");
      }
      if (tag.equals("send") && step.getTextContent().isBlank()) {
        throw new ApiException(400, "<send> needs a message");
      }
      if (role == null && tag.equals("send")) {
        role = ScenarioRole.UAC;
      } else if (role == null && tag.equals("recv")) {
        role = ScenarioRole.UAS;
      }
    }
    if (role == null) {
      throw new ApiException(400, "scenario has no <send> or <recv> step");
    }
    return role;
  }
}
