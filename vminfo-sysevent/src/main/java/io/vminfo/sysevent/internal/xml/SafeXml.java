package io.vminfo.sysevent.internal.xml;

import io.vminfo.sysevent.internal.host.HostFileException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParserFactory;
import org.xml.sax.Attributes;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.XMLReader;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Parses untrusted host XML (zonecfg, libvirt) into {@link XmlElement} trees.
 *
 * <p>DTDs are not processed: a {@code <!DOCTYPE>} that only names an external DTD (zonecfg files
 * do) is skipped without loading it, a DOCTYPE whose internal subset declares anything is refused
 * before parsing, external entities and DTD loading are off, and an entity reference other than the
 * five XML built-ins is an error. So external entities (XXE) and entity expansion ("billion
 * laughs") are impossible. Depth and element count are capped; the caller caps the byte size.
 */
public final class SafeXml {
  public static final int MAX_DEPTH = 64;
  public static final int MAX_ELEMENTS = 200_000;

  private static final SAXParserFactory FACTORY = newFactory();
  // A SAX reader is reusable between documents; keeping one per thread saves setting up the
  // parser's internals for every file (most of the cost of parsing a small zone XML).
  private static final ThreadLocal<XMLReader> READER = new ThreadLocal<>();

  private SafeXml() {}

  private static SAXParserFactory newFactory() {
    try {
      SAXParserFactory f = SAXParserFactory.newInstance();
      f.setNamespaceAware(true);
      f.setValidating(false);
      f.setXIncludeAware(false);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setFeature("http://xml.org/sax/features/external-general-entities", false);
      f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
      f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
      return f;
    } catch (ParserConfigurationException | SAXException e) {
      throw new IllegalStateException("the JDK's SAX parser cannot be configured safely", e);
    }
  }

  private static XMLReader reader() throws SAXException, ParserConfigurationException {
    XMLReader r = READER.get();
    if (r == null) {
      r = FACTORY.newSAXParser().getXMLReader();
      r.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
      r.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
      r.setEntityResolver(
          (publicId, systemId) -> {
            throw new SAXException("external entity " + systemId + " refused");
          });
      READER.set(r);
    }
    return r;
  }

  /** Parses {@code xml}; {@code what} names the input in error messages (usually the file). */
  public static XmlElement parse(byte[] xml, String what) throws HostFileException {
    refuseInternalSubsetDeclarations(xml, what);
    TreeHandler handler = new TreeHandler(what);
    try {
      XMLReader r = reader();
      r.setContentHandler(handler);
      r.setErrorHandler(handler);
      r.parse(new InputSource(new ByteArrayInputStream(xml)));
    } catch (SAXException e) {
      READER.remove(); // start the next document with a fresh reader
      if (e.getException() instanceof HostFileException hfe) {
        throw hfe;
      }
      String msg = e.getMessage() == null ? e.toString() : e.getMessage().replaceAll("\\s+", " ");
      throw new HostFileException("PARSE_ERROR", what + ": malformed XML: " + msg, e);
    } catch (IOException | ParserConfigurationException | RuntimeException e) {
      READER.remove();
      throw new HostFileException("PARSE_ERROR", what + ": malformed XML: " + e, e);
    }
    if (handler.root == null) {
      throw new HostFileException("PARSE_ERROR", what + ": no root element");
    }
    return handler.root;
  }

  /** Builds the element tree, enforcing the depth and element-count limits. */
  private static final class TreeHandler extends DefaultHandler {
    private final String what;
    private final Deque<Builder> stack = new ArrayDeque<>();
    private XmlElement root;
    private int elements;

    TreeHandler(String what) {
      this.what = what;
    }

    @Override
    public void startElement(String uri, String localName, String qName, Attributes atts)
        throws SAXException {
      if (++elements > MAX_ELEMENTS) {
        throw new SAXException(
            new HostFileException(
                "PARSE_ERROR", what + ": more than " + MAX_ELEMENTS + " elements"));
      }
      if (stack.size() >= MAX_DEPTH) {
        throw new SAXException(
            new HostFileException("PARSE_ERROR", what + ": nested deeper than " + MAX_DEPTH));
      }
      Map<String, String> attrs = new LinkedHashMap<>();
      for (int i = 0; i < atts.getLength(); i++) {
        String name = atts.getLocalName(i);
        attrs.put(name == null || name.isEmpty() ? atts.getQName(i) : name, atts.getValue(i));
      }
      String name = localName == null || localName.isEmpty() ? qName : localName;
      stack.push(new Builder(uri == null ? "" : uri, name, attrs));
    }

    @Override
    public void characters(char[] ch, int start, int length) {
      if (!stack.isEmpty()) {
        stack.peek().text.append(ch, start, length);
      }
    }

    @Override
    public void endElement(String uri, String localName, String qName) {
      XmlElement done = stack.pop().build();
      if (stack.isEmpty()) {
        root = done;
      } else {
        stack.peek().children.add(done);
      }
    }

    @Override
    public void fatalError(SAXParseException e) throws SAXException {
      throw e;
    }

    @Override
    public void error(SAXParseException e) throws SAXException {
      throw e;
    }
  }

  /**
   * Declarations in a DOCTYPE's internal subset (entities, attribute defaults) are refused
   * outright, by looking at the raw prolog, before any parser sees them.
   */
  private static void refuseInternalSubsetDeclarations(byte[] xml, String what)
      throws HostFileException {
    String head =
        new String(
            xml, 0, Math.min(xml.length, 64 * 1024), java.nio.charset.StandardCharsets.ISO_8859_1);
    int doctype = head.indexOf("<!DOCTYPE");
    if (doctype < 0) {
      return;
    }
    int open = head.indexOf('[', doctype);
    int close = head.indexOf('>', doctype);
    if (open < 0 || (close >= 0 && close < open)) {
      return; // no internal subset: only a reference to an external DTD, which is never loaded
    }
    int end = head.indexOf("]>", open);
    String subset = head.substring(open, end < 0 ? head.length() : end);
    if (subset.contains("<!ENTITY") || subset.contains("<!ATTLIST") || subset.contains("%")) {
      throw new HostFileException(
          "PARSE_ERROR", what + ": DTD declarations (entities) are not allowed");
    }
  }

  private static final class Builder {
    final String ns;
    final String name;
    final Map<String, String> attrs;
    final List<XmlElement> children = new ArrayList<>();
    final StringBuilder text = new StringBuilder();

    Builder(String ns, String name, Map<String, String> attrs) {
      this.ns = ns;
      this.name = name;
      this.attrs = attrs;
    }

    XmlElement build() {
      return new XmlElement(ns, name, attrs, children, text.toString().trim());
    }
  }
}
