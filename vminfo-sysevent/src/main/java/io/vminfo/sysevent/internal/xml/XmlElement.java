package io.vminfo.sysevent.internal.xml;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One parsed XML element: namespace URI ("" when none), local name, attributes by local name in
 * document order, child elements, and its own text (trimmed, concatenated).
 */
public record XmlElement(
    String namespace,
    String name,
    Map<String, String> attributes,
    List<XmlElement> children,
    String text) {
  public XmlElement {
    attributes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(attributes));
    children = List.copyOf(children);
  }

  public Optional<String> attr(String key) {
    return Optional.ofNullable(attributes.get(key));
  }

  public Optional<XmlElement> child(String localName) {
    for (XmlElement c : children) {
      if (c.name.equals(localName)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  public List<XmlElement> children(String localName) {
    return children.stream().filter(c -> c.name.equals(localName)).toList();
  }

  /** The text of the first child called {@code localName}, when present and non-empty. */
  public Optional<String> childText(String localName) {
    return child(localName).map(XmlElement::text).filter(t -> !t.isEmpty());
  }
}
