export { createConfBacking, createLazyStoreBacking, type IConfLike } from './confBacking';
export { createFileBacking, writeFileAtomicSync, type IJsonBacking, type StoreOptions } from './jsonFile';
export { KnownHostsStore } from './knownHostsStore';
export { MemorySecretStore } from './memorySecretStore';
export { ProfileStore } from './profileStore';
export { newProfile, updateProfile, validateProfileInput, type ProfileInput } from './profiles';
export { expandHome } from './paths';
export { MemoryKnownHostsStore } from './memoryKnownHostsStore';
export { SessionSecretStore } from './sessionSecretStore';
