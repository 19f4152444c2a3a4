package io.vminfo.manta.emulator.internal;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Logins the emulator knows, their keys, subusers' keys and roles. Thread-safe. */
public final class Accounts {
  private final Map<String, Map<String, RegisteredKey>> accountKeys = new ConcurrentHashMap<>();
  private final Map<String, Map<String, RegisteredKey>> subuserKeys = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> roles = new ConcurrentHashMap<>();

  public void addKey(String login, RegisteredKey key) {
    accountKeys
        .computeIfAbsent(login, l -> new ConcurrentHashMap<>())
        .put(key.md5Fingerprint(), key);
  }

  public void addSubuserKey(String login, String subuser, RegisteredKey key) {
    accountKeys.computeIfAbsent(login, l -> new ConcurrentHashMap<>());
    subuserKeys
        .computeIfAbsent(login + "/" + subuser, l -> new ConcurrentHashMap<>())
        .put(key.md5Fingerprint(), key);
  }

  public void addRole(String login, String role) {
    roles.computeIfAbsent(login, l -> ConcurrentHashMap.newKeySet()).add(role);
  }

  public void addLogin(String login) {
    accountKeys.computeIfAbsent(login, l -> new ConcurrentHashMap<>());
  }

  public boolean exists(String login) {
    return accountKeys.containsKey(login);
  }

  public Set<String> logins() {
    return Set.copyOf(accountKeys.keySet());
  }

  boolean hasUser(String login, String subuser) {
    return subuserKeys.containsKey(login + "/" + subuser);
  }

  Optional<RegisteredKey> key(String login, Optional<String> subuser, String fingerprint) {
    Map<String, RegisteredKey> keys =
        subuser.isPresent() ? subuserKeys.get(login + "/" + subuser.get()) : accountKeys.get(login);
    return keys == null ? Optional.empty() : Optional.ofNullable(keys.get(fingerprint));
  }

  boolean hasRole(String login, String role) {
    return roles.getOrDefault(login, Set.of()).contains(role);
  }
}
